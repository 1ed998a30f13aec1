// `npm run bench:demo [-- --repeats N] [--size MB]`: times `npm run demo` (scripts/demo.mjs) as a
// newcomer runs it, against the issue's "within about a minute": per repeat a fresh data directory
// (the sandbox built from nothing), then the demo again in it (the sandbox reused), then `sandbox
// down`. Prints each stage's time as the demo measured it, best and median of fresh and reused,
// and the load average, since other work on the machine moves these figures. A benchmark, not a
// test. Runs inside a Secret Service (package.json wraps it in scripts/with-keyring.sh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../demo.mjs';

const TARGET_S = 60;
const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, size: { type: 'string' } } });
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1) {
  console.error('--repeats needs a whole number ≥ 1');
  process.exit(2);
}
const sizeArgs = values.size ? ['--size', values.size] : [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** The demo's own "Timings: sandbox up 34.2 s · … · total 66.7 s" line as { stage: seconds }. */
function timingsOf(stderr) {
  const line = stderr.split('\n').find((l) => l.startsWith('Timings: '));
  if (!line) return null;
  return Object.fromEntries(line.slice('Timings: '.length).split(' · ').map((part) => {
    const m = /^(.*) ([\d.]+) s$/.exec(part);
    return [m[1], Number(m[2])];
  }));
}

function demo(home) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'demo.mjs'), ...sizeArgs], {
    cwd: projectRoot,
    env: { ...process.env, REPLICA_DESK_HOME: home },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = (performance.now() - started) / 1000;
  const timings = timingsOf(run.stderr);
  if (run.status !== 0 || !timings) {
    console.error(run.stderr.split('\n').slice(-30).join('\n'));
    throw new Error(`npm run demo exited ${run.status}`);
  }
  return { ...timings, wall };
}

console.log(`npm run demo, ${repeats} × (fresh, then reused)${values.size ? `, --size ${values.size}` : ', the default size'}; load average at start ${load()} (2 cores here: above 2, others compete)`);
const results = { fresh: [], reused: [] };
for (let r = 1; r <= repeats; r += 1) {
  const home = mkdtempSync(join(tmpdir(), 'rd-demo-bench-'));
  try {
    for (const kind of ['fresh', 'reused']) {
      const t = demo(home);
      results[kind].push(t);
      const stages = Object.entries(t).filter(([k]) => k !== 'total' && k !== 'wall').map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' · ');
      console.log(`  ${String(r).padStart(2)} ${kind.padEnd(6)} total ${t.total.toFixed(1)} s (${stages}); load ${load()}`);
    }
  } finally {
    spawnSync(process.execPath, [join(projectRoot, 'bin', 'replica-desk.js'), 'sandbox', 'down'], { env: { ...process.env, REPLICA_DESK_HOME: home }, stdio: 'ignore' });
    rmSync(home, { recursive: true, force: true });
  }
}

console.log('');
const stages = Object.keys(results.fresh[0]).filter((k) => k !== 'wall');
console.log(`${'stage'.padEnd(24)}${'fresh best'.padStart(12)}${'median'.padStart(9)}${'reused best'.padStart(13)}${'median'.padStart(9)}`);
for (const stage of stages) {
  const f = results.fresh.map((t) => t[stage]);
  const u = results.reused.map((t) => t[stage]);
  console.log(`${stage.padEnd(24)}${`${Math.min(...f).toFixed(1)} s`.padStart(12)}${`${median(f).toFixed(1)} s`.padStart(9)}${`${Math.min(...u).toFixed(1)} s`.padStart(13)}${`${median(u).toFixed(1)} s`.padStart(9)}`);
}
for (const kind of ['fresh', 'reused']) {
  const totals = results[kind].map((t) => t.total);
  const verdict = (s) => (s <= TARGET_S ? 'PASS' : 'MISS');
  console.log(`${verdict(Math.min(...totals))} (best) / ${verdict(median(totals))} (median): ${kind} demo within ${TARGET_S} s — best ${Math.min(...totals).toFixed(1)} s, median ${median(totals).toFixed(1)} s`);
}
console.log(`load average at the end ${load()}`);
