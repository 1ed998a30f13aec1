// `replica-desk connection test INSTALLATION[/SERVER] [--json] [--host-keys]`: tests each
// server's database connection; through an SSH tunnel it lists every hop with the host key it
// presented, or which hop failed and why. --host-keys lists only the key each SSH hop
// presents, against the profile's pin.
import type { ConnectionReport } from '../../shared/api';
import type { ErrorPayload } from '../../shared/result';
import { formatRoute, formatRouteBreak, type RouteHopResult, type RouteOutcome } from '../../shared/sshRoutes';
import { describeEncryption } from '../../shared/connectionEncryption';
import { formatServerRef, parseServerRef, type ServerRef } from '../../shared/profiles';
import { toErrorPayload } from '../../main/core/errors';
import type { RouteHostKeys } from '../../main/core/tunnels/hopHostKeys';
import { requireArgs, type Command, type CommandContext } from '../context';
import { EXIT_FAILED, EXIT_OK, formatError, printJson } from '../output';

type Outcome<T> = { server: string; ok: true; value: T; error?: never } | { server: string; ok: false; value?: never; error: ErrorPayload };

/** Runs `run` for every server at once; a failure is that server's outcome, not the command's. */
const eachServer = <T>(refs: ServerRef[], run: (ref: ServerRef) => Promise<T>): Promise<Array<Outcome<T>>> =>
  Promise.all(
    refs.map((ref) =>
      run(ref).then(
        (value): Outcome<T> => ({ server: formatServerRef(ref), ok: true, value }),
        (e: unknown): Outcome<T> => ({ server: formatServerRef(ref), ok: false, error: toErrorPayload(e) }),
      ),
    ),
  );

export const testConnection: Command = async (ctx) => {
  const [target] = requireArgs(ctx, 1, 'INSTALLATION or INSTALLATION/SERVER');
  const core = ctx.core();
  const single = parseServerRef(target!);
  const refs: ServerRef[] = single
    ? [core.profiles.canonicalRef(single)]
    : core.profiles.get(target!).servers.map((s) => ({ installation: core.profiles.get(target!).name, server: s.name }));

  if (ctx.options['host-keys']) return printHostKeys(ctx, refs, !!single);

  const results = (await eachServer(refs, (ref) => core.testConnection(ref))).map(({ value, ...r }) => (r.ok ? { ...r, report: value! } : r));
  if (ctx.out.json) printJson(ctx.out, single ? results[0] : { results });
  else {
    for (const r of results) {
      if (r.ok) {
        ctx.out.stdout(`${r.server}: ok — ${describe(r.report)}\n${r.report.route ? routeLines(r.report.route) : ''}`);
        if (r.report.passwordWarning) ctx.out.stderr(`  warning: ${r.report.passwordWarning}\n`);
      } else ctx.out.stderr(`${r.server}: FAILED (${r.error.code})\n${failedRouteLines(r.error)}${formatError(r.error).replace(/^/gm, '  ')}`);
    }
  }
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
};

function describe(r: ConnectionReport): string {
  const schema = r.schemaExists ? `schema ${r.schema} exists` : `schema ${r.schema} is MISSING`;
  const type = r.repositoryServerType ? `repository_server_type=${r.repositoryServerType}` : 'no repository_server_type';
  return `PostgreSQL ${r.serverVersion}, ${describeEncryption(r.encryption)}, ${schema}, ${type}, password from ${r.passwordSource} (${r.elapsedMs} ms)`;
}

function hopLine(hop: RouteHopResult, i: number): string {
  const key = hop.hostKeyFingerprint ? `host key ${hop.hostKeyFingerprint}` : '';
  const took = hop.elapsedMs !== undefined ? `${hop.elapsedMs} ms` : '';
  const details = [key, took].filter(Boolean).join(', ');
  return `    ${i + 1}. ${hop.role} · ${hop.description}${hop.alias ? ` (alias ${hop.alias})` : ''}: ${hop.status}${details ? ` (${details})` : ''}\n`;
}

function routeLines(route: Pick<RouteOutcome, 'view' | 'hops'>): string {
  return `  via ${formatRoute(route.view)}\n${route.hops.map(hopLine).join('')}`;
}

function failedRouteLines(error: ErrorPayload): string {
  if (!error.route) return '';
  const at = error.route.break ? `  broke at ${formatRouteBreak(error.route.view, error.route.break)}\n` : '';
  return `${routeLines(error.route)}${at}`;
}

const VERDICTS = {
  'matches-pin': 'matches the pin',
  'differs-from-pin': 'DIFFERS from the pin',
  'not-pinned': 'not pinned (known_hosts decides)',
  unreachable: 'UNREACHABLE',
} as const;

function hostKeyLines(routes: RouteHostKeys[]): string {
  if (routes.length === 0) return '  no SSH hops (local host, database reached directly)\n';
  return routes
    .map((r) => {
      const hops = r.hops.map((h, i) => {
        const what = h.fingerprint ? `${h.fingerprint} — ${VERDICTS[h.verdict]}` : `${VERDICTS[h.verdict]} (${h.error?.code ?? 'unknown'})`;
        const pin = h.verdict === 'differs-from-pin' ? `\n       pinned: ${h.pinned}` : '';
        const why = h.error ? `\n       ${h.error.message}` : '';
        return `    ${i + 1}. ${h.role} · ${h.description}: ${what}${pin}${why}\n`;
      });
      return `  ${r.route}:\n${hops.join('')}`;
    })
    .join('');
}

/** Exit 1 when a hop could not be reached or presents another key than its pin. */
async function printHostKeys(ctx: CommandContext, refs: ServerRef[], single: boolean): Promise<number> {
  const core = ctx.core();
  const results = (await eachServer(refs, (ref) => core.hopHostKeys(ref))).map(({ value, ...r }) => (r.ok ? { ...r, routes: value! } : r));
  const fine = results.every((r) => r.ok && r.routes.every((route) => route.hops.every((h) => h.verdict === 'matches-pin' || h.verdict === 'not-pinned')));
  if (ctx.out.json) printJson(ctx.out, single ? results[0] : { results });
  else {
    for (const r of results) {
      if (r.ok) ctx.out.stdout(`${r.server} host keys:\n${hostKeyLines(r.routes)}`);
      else ctx.out.stderr(`${r.server}: FAILED (${r.error.code})\n${formatError(r.error).replace(/^/gm, '  ')}`);
    }
  }
  return fine ? EXIT_OK : EXIT_FAILED;
}
