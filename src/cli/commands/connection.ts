// `replica-desk connection test INSTALLATION[/SERVER] [--json]`: tests each server's database
// connection; through an SSH tunnel it lists every hop with the host key it presented, or
// which hop failed and why.
import type { ConnectionReport } from '../../shared/api';
import type { ErrorPayload } from '../../shared/result';
import { formatRoute, formatRouteBreak, type RouteHopResult, type RouteOutcome } from '../../shared/sshRoutes';
import { describeEncryption } from '../../shared/connectionEncryption';
import { formatServerRef, parseServerRef, type ServerRef } from '../../shared/profiles';
import { toErrorPayload } from '../../main/core/errors';
import { requireArgs, type Command } from '../context';
import { EXIT_FAILED, EXIT_OK, formatError, printJson } from '../output';

export const testConnection: Command = async (ctx) => {
  const [target] = requireArgs(ctx, 1, 'INSTALLATION or INSTALLATION/SERVER');
  const core = ctx.core();
  const single = parseServerRef(target!);
  const refs: ServerRef[] = single
    ? [core.profiles.canonicalRef(single)]
    : core.profiles.get(target!).servers.map((s) => ({ installation: core.profiles.get(target!).name, server: s.name }));

  const results = await Promise.all(
    refs.map(async (ref) => {
      try {
        return { server: formatServerRef(ref), ok: true as const, report: await core.testConnection(ref) };
      } catch (e) {
        return { server: formatServerRef(ref), ok: false as const, error: toErrorPayload(e) };
      }
    }),
  );
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
