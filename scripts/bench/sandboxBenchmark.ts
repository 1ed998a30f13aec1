// `npm run bench:sandbox [-- --size MB] [--repeats N] [--dir DIR]`: times the sandbox's machinery
// (src/main/core/sandbox/sandboxMachine.ts) on this machine: a fresh `up` (programs, two
// clusters, the generated master of --size MB, the replicas, the key file, three stand-ins),
// a second `up` that reuses everything, and `down`. Target: a fresh 50 MB up in ≲ 20 s, so
// that `npm run demo` fits in about a minute. A benchmark, not a test: it prints figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSandbox, inspectSandbox, teardownSandbox, type SandboxManifest } from '../../src/main/core/sandbox/sandboxMachine';

const { values } = parseArgs({ options: { size: { type: 'string', default: '50' }, repeats: { type: 'string', default: '1' }, dir: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
const sizeMb = Number(values.size);
const repeats = Number(values.repeats);
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const figures = { up: [] as number[], reuse: [] as number[], down: [] as number[] };
for (let r = 1; r <= repeats; r += 1) {
  const parent = values.dir ?? mkdtempSync(join(tmpdir(), 'rd-sandbox-bench-'));
  const dir = join(parent, 'sandbox');
  let manifest: SandboxManifest | null = null;
  const phases: string[] = [];
  let phaseStarted = performance.now();
  let lastPhase = '';
  const onProgress = (p: { phase: string; message: string }) => {
    if (values.verbose) process.stderr.write(`  [${p.phase}] ${p.message}\n`);
    if (p.phase !== lastPhase) {
      if (lastPhase) phases.push(`${lastPhase} ${s(performance.now() - phaseStarted)}`);
      lastPhase = p.phase;
      phaseStarted = performance.now();
    }
  };
  try {
    let t = performance.now();
    const built = await buildSandbox({ dir, sizeMb, existing: null, onProgress, onManifest: (m) => (manifest = m) });
    figures.up.push(performance.now() - t);
    phases.push(`${lastPhase} ${s(performance.now() - phaseStarted)}`);
    const status = await inspectSandbox(built.manifest);
    if (status.problems.length > 0) throw new Error(`after up: ${status.problems.join('; ')}`);
    lastPhase = '';
    t = performance.now();
    await buildSandbox({ dir, sizeMb, existing: built.manifest, onProgress: () => undefined, onManifest: (m) => (manifest = m) });
    figures.reuse.push(performance.now() - t);
    t = performance.now();
    await teardownSandbox(built.manifest, () => undefined);
    figures.down.push(performance.now() - t);
    manifest = null;
    process.stderr.write(`[bench] repeat ${r}: up ${s(figures.up.at(-1)!)} (${phases.join(', ')}), reuse ${s(figures.reuse.at(-1)!)}, down ${s(figures.down.at(-1)!)}\n`);
  } finally {
    if (manifest) await teardownSandbox(manifest, () => undefined).catch(() => undefined);
    if (!values.dir) rmSync(parent, { recursive: true, force: true });
  }
}
const line = (name: string, xs: number[]) => `${name.padEnd(6)} best ${s(Math.min(...xs))}  median ${s(median(xs))}  (${xs.map(s).join(', ')})`;
console.log(`sandbox ${sizeMb} MB, ${repeats} repeat${repeats === 1 ? '' : 's'} (target: fresh up ≲ 20 s)`);
console.log(line('up', figures.up));
console.log(line('reuse', figures.reuse));
console.log(line('down', figures.down));
