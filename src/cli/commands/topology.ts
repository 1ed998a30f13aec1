// `replica-desk topology [INSTALLATION] [--json] [--timeout-ms N] [--cached]`: probes and
// prints. Servers that are down are what the admin asked about, so the command still
// succeeds; only an unknown installation (2) or a probe that could not run at all (1) fails.
import { DEFAULT_TOPOLOGY_TIMEOUT_MS, type TopologyDocument } from '../../shared/topology';
import { UsageError, type Command } from '../context';
import { EXIT_OK, printJson } from '../output';
import { formatTopology } from '../topologyOutput';

const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 600_000;

function timeoutOption(value: unknown): number {
  if (value === undefined) return DEFAULT_TOPOLOGY_TIMEOUT_MS;
  const text = String(value);
  const ms = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS)) {
    throw new UsageError(`--timeout-ms must be a whole number of milliseconds between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS} (got "${text}")`);
  }
  return ms;
}

export const topology: Command = async (ctx) => {
  if (ctx.args.length > 1) throw new UsageError('expected at most one INSTALLATION: topology [INSTALLATION] [--json] [--timeout-ms N] [--cached]');
  const installation = ctx.args[0];
  const timeoutMs = timeoutOption(ctx.options['timeout-ms']);
  const core = ctx.core();

  let snapshots;
  if (ctx.options.cached) {
    snapshots = core.topology.cached(installation);
  } else {
    if (!ctx.out.json) {
      const what = installation ?? `${core.profiles.list().length} installation(s)`;
      ctx.out.stderr(`Probing ${what} (each step times out after ${timeoutMs} ms)…\n`);
    }
    snapshots = await core.topology.probe(installation, { timeoutMs });
  }

  if (ctx.out.json) {
    const document: TopologyDocument = { installations: snapshots };
    printJson(ctx.out, document);
    return EXIT_OK;
  }
  if (snapshots.length === 0) {
    ctx.out.stdout(
      ctx.options.cached
        ? 'No probe has been stored yet; run `replica-desk topology` while the servers can be reached.\n'
        : 'No installations yet; import them with `replica-desk profiles import FILE`.\n',
    );
    return EXIT_OK;
  }
  ctx.out.stdout(snapshots.map(formatTopology).join('\n'));
  return EXIT_OK;
};
