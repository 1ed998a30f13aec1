import type { SecretKind } from '../../shared/api';
import { formatServerRef } from '../../shared/profiles';
import { requireArgs, serverRefArg, UsageError, type Command } from '../context';
import { EXIT_OK, printJson } from '../output';
import { readSecret } from '../readSecret';

function kindArg(text: string | undefined): SecretKind {
  if (text === 'db' || text === 'ssh') return text;
  throw new UsageError(`the secret kind must be "db" or "ssh", not "${text ?? ''}"`);
}

export const setSecret: Command = async (ctx) => {
  const [refText, kindText] = requireArgs(ctx, 2, 'INSTALLATION/SERVER db|ssh');
  const ref = serverRefArg(refText!);
  const kind = kindArg(kindText);
  const core = ctx.core();
  core.profiles.canonicalRef(ref); // fail on an unknown server before asking for the secret
  const what = kind === 'db' ? 'database password' : 'SSH passphrase';
  const secret = await readSecret(ctx.stdin, `${what} for ${formatServerRef(ref)}: `, ctx.out.stderr);
  await core.secrets.set(ref, kind, secret);
  if (ctx.out.json) printJson(ctx.out, { ok: true, server: formatServerRef(ref), kind, stored: true });
  else ctx.out.stderr(`Stored the ${what} for ${formatServerRef(ref)} in the keychain.\n`);
  return EXIT_OK;
};

export const deleteSecret: Command = async (ctx) => {
  const [refText, kindText] = requireArgs(ctx, 2, 'INSTALLATION/SERVER db|ssh');
  const ref = serverRefArg(refText!);
  const kind = kindArg(kindText);
  const existed = await ctx.core().secrets.delete(ref, kind);
  if (ctx.out.json) printJson(ctx.out, { ok: true, server: formatServerRef(ref), kind, deleted: existed });
  else ctx.out.stderr(existed ? `Removed the ${kind} secret of ${formatServerRef(ref)} from the keychain.\n` : `The keychain had no ${kind} secret for ${formatServerRef(ref)}.\n`);
  return EXIT_OK;
};
