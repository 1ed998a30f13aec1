// `secrets set|delete|confirm`: the keychain entries of a server, and the endpoint each may go to.
import { isSecretKind, type SecretKind } from '../../shared/api';
import { formatServerRef } from '../../shared/profiles';
import { ReplicaDeskError } from '../../main/core/errors';
import { describeEndpoint, endpointChangeText } from '../../main/core/secrets/secretEndpoint';
import { requireArgs, serverRefArg, UsageError, type Command } from '../context';
import { EXIT_OK, printJson } from '../output';
import { ask } from '../prompt';
import { readSecret } from '../readSecret';

const KINDS_USAGE = 'INSTALLATION/SERVER db|ssh|tunnel|ssh-jumpN|tunnel-jumpN';

function kindArg(text: string | undefined): SecretKind {
  if (text !== undefined && isSecretKind(text)) return text;
  throw new UsageError(`the secret kind must be db, ssh, tunnel, ssh-jumpN or tunnel-jumpN (N 1..8, jump hosts numbered from this workstation), not "${text ?? ''}"`);
}

const secretWords = (kind: SecretKind): string =>
  kind === 'db' ? 'database password' : kind === 'ssh' ? 'SSH passphrase' : kind === 'tunnel' ? 'SSH passphrase of the tunnel endpoint' : `SSH passphrase of ${kind.replace(/^(ssh|tunnel)-jump(\d)$/, 'jump host $2')}`;

export const setSecret: Command = async (ctx) => {
  const [refText, kindText] = requireArgs(ctx, 2, KINDS_USAGE);
  const ref = serverRefArg(refText!);
  const kind = kindArg(kindText);
  const core = ctx.core();
  // Fail on an unknown server, or a hop its profile does not have, before asking for the secret.
  const { current } = await core.secrets.check(ref, kind);
  const what = secretWords(kind);
  if (kind !== 'db' && kind !== 'ssh') ctx.out.stderr(`The ${what} is for ${describeEndpoint(current)}.\n`);
  const secret = await readSecret(ctx.stdin, `${what} for ${formatServerRef(ref)}: `, ctx.out.stderr);
  await core.secrets.set(ref, kind, secret);
  if (ctx.out.json) printJson(ctx.out, { ok: true, server: formatServerRef(ref), kind, stored: true });
  else ctx.out.stderr(`Stored the ${what} for ${formatServerRef(ref)} in the keychain, for ${describeEndpoint((await core.secrets.check(ref, kind)).current)}.\n`);
  return EXIT_OK;
};

export const deleteSecret: Command = async (ctx) => {
  const [refText, kindText] = requireArgs(ctx, 2, KINDS_USAGE);
  const ref = serverRefArg(refText!);
  const kind = kindArg(kindText);
  const existed = await ctx.core().secrets.delete(ref, kind);
  if (ctx.out.json) printJson(ctx.out, { ok: true, server: formatServerRef(ref), kind, deleted: existed });
  else ctx.out.stderr(existed ? `Removed the ${kind} secret of ${formatServerRef(ref)} from the keychain.\n` : `The keychain had no ${kind} secret for ${formatServerRef(ref)}.\n`);
  return EXIT_OK;
};

/**
 * Lets a stored secret go to its server's new endpoint: shows both endpoints and asks for
 * the server's INSTALLATION/SERVER to be typed back on the TTY (or --yes). Without either,
 * exit 2 and nothing changes.
 */
export const confirmSecret: Command = async (ctx) => {
  const [refText, kindText] = requireArgs(ctx, 2, KINDS_USAGE);
  const ref = serverRefArg(refText!);
  const kind = kindArg(kindText);
  const core = ctx.core();
  const canonical = core.profiles.canonicalRef(ref);
  const name = formatServerRef(canonical);
  const check = await core.secrets.check(canonical, kind);
  if (check.stored && check.matches) {
    if (ctx.out.json) printJson(ctx.out, { ok: true, server: name, kind, confirmed: true, endpoint: describeEndpoint(check.current), changed: false });
    else ctx.out.stderr(`The ${kind} secret of ${name} is already bound to ${describeEndpoint(check.current)}; nothing to confirm.\n`);
    return EXIT_OK;
  }
  if (check.stored) {
    const text = endpointChangeText(canonical, kind, check.enteredFor, check.current);
    ctx.out.stderr(`${text.message}\n${text.detail}\n`);
    if (ctx.options.yes !== true) {
      if (!ctx.stdin.isTTY) throw new SecretConfirmationRequiredError();
      const answer = await ask(ctx.stdin, process.stderr, `Type "${name}" to use it for ${describeEndpoint(check.current)}: `);
      if (answer !== name) throw new SecretNotConfirmedError(name, kind, answer);
    }
  }
  await core.secrets.confirmEndpoint(canonical, kind, check.current);
  if (ctx.out.json) printJson(ctx.out, { ok: true, server: name, kind, confirmed: true, endpoint: describeEndpoint(check.current), changed: true });
  else ctx.out.stderr(`The ${kind} secret of ${name} may now be used for ${describeEndpoint(check.current)}.\n`);
  return EXIT_OK;
};

class SecretConfirmationRequiredError extends ReplicaDeskError {
  override readonly usage = true;

  constructor() {
    super(
      'confirmation-required',
      'Confirming a secret for a new endpoint needs a typed confirmation, but there is no terminal to ask on.',
      'Run it in a terminal, or pass --yes to confirm non-interactively. Nothing was changed.',
    );
  }
}

class SecretNotConfirmedError extends ReplicaDeskError {
  constructor(name: string, kind: SecretKind, typed: string) {
    super(
      'not-confirmed',
      `Not confirmed: the ${kind} secret of ${name} for its new endpoint (typed "${typed}"). Nothing was changed.`,
      `Run \`replica-desk secrets confirm ${name} ${kind}\` again and type the name exactly, or re-enter the secret with \`replica-desk secrets set ${name} ${kind}\`.`,
    );
  }
}
