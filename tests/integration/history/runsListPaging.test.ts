// `runs list` through the built CLI over a seeded history longer than any old default page:
// every run by default, `--limit`/`--offset` page explicitly, and the JSON says the total and
// whether more follow; the table says so in words. Bad paging options are usage errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, repoRoot, runCli } from '../../harness/cli';
import { seedRunHistory, type SeededRun } from '../../harness/runHistorySeed';

const SEEDED = 260;
let home: string;
let seeded: SeededRun[];

interface ListJson {
  runs: Array<{ runId: string; installation: string; replicas: unknown[] }>;
  total: number;
  offset: number;
  truncated: boolean;
}

async function list(args: string[]): Promise<ListJson> {
  const r = await runCli(['runs', 'list', '--json', ...args], { home });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ListJson;
}

beforeAll(() => {
  assertCliBuilt();
  home = mkdtempSync(join(tmpdir(), 'rd-runs-paging-'));
  seeded = seedRunHistory({ home, count: SEEDED });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('runs list', () => {
  it('lists every run by default, newest first, with the total and not truncated', async () => {
    const page = await list([]);
    expect(page.total).toBe(SEEDED);
    expect(page.truncated).toBe(false);
    expect(page.offset).toBe(0);
    expect(page.runs.map((r) => r.runId)).toEqual(seeded.map((r) => r.runId));
    expect(page.runs[0]!.replicas.length).toBeGreaterThan(0);
  });

  it('prints one JSON document, as every --json command does, though written a batch of runs at a time', async () => {
    const r = await runCli(['runs', 'list', '--json'], { home });
    expect(r.stdout).toBe(`${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`);
    const runs = (JSON.parse(r.stdout) as ListJson).runs as Array<Record<string, unknown>>;
    expect(runs.every((run) => !('steps' in run) && typeof run.status === 'string' && Array.isArray(run.replicas))).toBe(true);
  });

  it('pages with --limit and --offset, saying whether more follow', async () => {
    const first = await list(['--limit', '100']);
    expect(first).toMatchObject({ total: SEEDED, offset: 0, truncated: true });
    expect(first.runs.map((r) => r.runId)).toEqual(seeded.slice(0, 100).map((r) => r.runId));
    const middle = await list(['--limit', '100', '--offset', '100']);
    expect(middle).toMatchObject({ total: SEEDED, offset: 100, truncated: true });
    expect(middle.runs.map((r) => r.runId)).toEqual(seeded.slice(100, 200).map((r) => r.runId));
    const last = await list(['--limit', '100', '--offset', '200']);
    expect(last).toMatchObject({ total: SEEDED, offset: 200, truncated: false });
    expect(last.runs.map((r) => r.runId)).toEqual(seeded.slice(200).map((r) => r.runId));
    const beyond = await list(['--offset', String(SEEDED + 5)]);
    expect(beyond).toMatchObject({ runs: [], total: SEEDED, truncated: false });
  });

  it('filters by installation, with that installation’s total', async () => {
    const prodUs = seeded.filter((r) => r.installation === 'prod-us');
    const page = await list(['--installation', 'prod-us', '--limit', '5']);
    expect(page).toMatchObject({ total: prodUs.length, truncated: prodUs.length > 5 });
    expect(page.runs.map((r) => r.runId)).toEqual(prodUs.slice(0, 5).map((r) => r.runId));
  });

  it('says in the table when it shows a page, and how to get the next', async () => {
    const paged = await runCli(['runs', 'list', '--limit', '20', '--offset', '20'], { home });
    expect(paged.code).toBe(0);
    expect(paged.stdout).toContain(seeded[20]!.runId);
    expect(paged.stdout).not.toContain(seeded[40]!.runId);
    expect(paged.stdout).toContain(`Runs 21–40 of ${SEEDED}, newest first. More: \`runs list --offset 40 --limit 20\`.`);
    const all = await runCli(['runs', 'list'], { home });
    expect(all.stdout).toContain(seeded[SEEDED - 1]!.runId);
    expect(all.stdout).not.toContain(' of 260');
  });

  it('starts without the core: neither the PostgreSQL nor the SSH client is loaded to list', () => {
    // A preload that says at exit which of those packages the process loaded.
    const preload = join(home, 'loaded-packages.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(JSON.stringify(['pg', 'ssh2'].filter((p) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${p}/`))))));");
    const loaded = (args: string[]) => {
      const r = spawnSync(process.execPath, ['--require', preload, join(repoRoot, 'bin', 'replica-desk.js'), ...args], { env: { ...process.env, REPLICA_DESK_HOME: home }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(r.status).toBe(0);
      return JSON.parse(r.stderr) as string[];
    };
    expect(loaded(['runs', 'list', '--json', '--limit', '5'])).toEqual([]);
    // A command that uses the core still gets it.
    expect(loaded(['runs', 'show', seeded[0]!.runId, '--json'])).toEqual(['pg', 'ssh2']);
  });

  it('refuses a limit or offset that is not a whole number, as a usage error', async () => {
    for (const args of [['--limit', '0'], ['--limit', 'ten'], ['--offset=-1']]) {
      const r = await runCli(['runs', 'list', ...args], { home });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--(limit|offset) must be a whole number/);
    }
  });
});
