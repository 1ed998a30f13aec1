// `secrets confirm` on a terminal: it shows both endpoints and rebinds only when the server's
// INSTALLATION/SERVER is typed back. The built CLI runs under `script`, which gives it a real
// pseudo-terminal as stdin; the answers are typed into that terminal.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/secrets/confirmOnTty.test.ts
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { assertCliBuilt, repoRoot, runCli } from '../../harness/cli';

const name = `it-tty-${randomBytes(3).toString('hex')}`;
let dir: string;
let home: string;

function profile(host: string): string {
  const file = join(dir, `${host}.json`);
  const server = (n: string, role: string) => ({ name: n, role, db: { host, database: 'cm', user: `cm_${n}` } });
  writeFileSync(file, JSON.stringify({ format: 'replica-desk/profiles@1', installations: [{ name, servers: [server('mls', 'master'), server('rls1', 'replica')] }] }));
  return file;
}

/** `replica-desk ARGS` with a terminal as stdin, answering the prompt with `typed`. */
function onTerminal(args: string[], typed: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, join(repoRoot, 'bin', 'replica-desk.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, REPLICA_DESK_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = false;
  const collect = (d: Buffer) => {
    output += d.toString();
    if (!answered && output.includes('Type "')) {
      answered = true;
      child.stdin.write(`${typed}\r`);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

beforeAll(async () => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rd-confirm-tty-'));
  home = join(dir, 'home');
  expect((await runCli(['profiles', 'import', profile('db1.example')], { home })).code).toBe(0);
  expect((await runCli(['secrets', 'set', `${name}/rls1`, 'db'], { home, stdin: 'pw-on-db1' })).code).toBe(0);
  expect((await runCli(['profiles', 'import', profile('db2.example'), '--replace'], { home })).code).toBe(0);
});

afterAll(async () => {
  await new KeytarSecretStore().delete(accountFor({ installation: name, server: 'rls1' }, 'db')).catch(() => false);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('secrets confirm on a terminal', () => {
  it('changes nothing unless INSTALLATION/SERVER is typed back, then rebinds', async () => {
    const wrong = await onTerminal(['secrets', 'confirm', `${name}/rls1`, 'db'], 'yes');
    expect(wrong.output).toContain('Entered for:   cm_rls1@db1.example:5432/cm');
    expect(wrong.output).toContain('Points now at: cm_rls1@db2.example:5432/cm');
    expect(wrong.code).toBe(1);
    expect(wrong.output).toContain('Not confirmed');

    const still = await runCli(['secrets', 'confirm', `${name}/rls1`, 'db'], { home });
    expect(still.code).toBe(2); // still needs confirming: no terminal, no --yes

    const typed = await onTerminal(['secrets', 'confirm', `${name}/rls1`, 'db'], `${name}/rls1`);
    expect(typed.code, typed.output).toBe(0);
    expect(typed.output).toContain('may now be used for cm_rls1@db2.example:5432/cm');
    const again = await runCli(['secrets', 'confirm', `${name}/rls1`, 'db'], { home });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already bound to cm_rls1@db2.example:5432/cm');
  }, 60_000);
});
