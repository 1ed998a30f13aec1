// `profiles format`: prints the profiles@1 format guide (shared/profilesFormatGuide.ts), the
// same text the app shows; --json prints its sections.
import { formatGuideText, PROFILES_FORMAT_GUIDE } from '../../shared/profilesFormatGuide';
import { PROFILES_FORMAT } from '../../shared/profiles';
import { UsageError, type Command } from '../context';
import { EXIT_OK, printJson } from '../output';

export const profilesFormat: Command = async (ctx) => {
  if (ctx.args.length > 0) throw new UsageError('profiles format takes no arguments');
  if (ctx.out.json) printJson(ctx.out, { format: PROFILES_FORMAT, sections: PROFILES_FORMAT_GUIDE });
  else ctx.out.stdout(`The ${PROFILES_FORMAT} format\n\n${formatGuideText()}`);
  return EXIT_OK;
};
