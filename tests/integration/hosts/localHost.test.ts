// The local host: control commands through /bin/sh with real processes (exit codes, output,
// a timeout and a cancel that kill everything the command started), and private files on
// the real file system.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/main/core/cancellation';
import { copyPrivateFile, keyFilePath } from '../../../src/main/core/hosts/copyFile';
import { CommandTimeoutError, HostFileError, OUTPUT_LIMIT_BYTES } from '../../../src/main/core/hosts/host';
import { LocalHost } from '../../../src/main/core/hosts/localHost';

const host = new LocalHost();
let dir: string;

/** Alive and not a zombie: this machine's init does not reap orphans. */
function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z /.test(stat);
}

/** A killed process takes a moment to finish dying; give it a few seconds at most. */
async function isGoneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 150 && processIsRunning(pid); i += 1) await new Promise((r) => setTimeout(r, 20));
  return !processIsRunning(pid);
}

async function waitForFile(path: string, lines: number): Promise<number[]> {
  for (;;) {
    const pids = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    if (pids.length >= lines) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-localhost-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalHost.run', () => {
  it('returns the exit code and both outputs; a non-zero exit is a result, not an error', async () => {
    const result = await host.run(`printf '%s|' a 'b c'; echo oops >&2; exit 3`);
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'a|b c|', stderr: 'oops\n' });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(host.description).toBe('local');
  });

  it('closes stdin and keeps only the end of a long output', async () => {
    const result = await host.run(`cat; head -c 200000 /dev/zero | tr '\\0' x; echo END`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(OUTPUT_LIMIT_BYTES);
    expect(result.stdout.endsWith('xxEND\n')).toBe(true);
  });

  it('returns when the command exits, even if a process it started keeps its output open', async () => {
    // As a real start script may do: a daemon left holding the command's stdout.
    const result = await host.run('sleep 30 & echo $!');
    const daemon = Number(result.stdout.trim());
    expect(result.exitCode).toBe(0);
    expect(processIsRunning(daemon)).toBe(true);
    process.kill(daemon, 'SIGKILL');
  });

  it('kills the whole process group on timeout and reports command-timeout', async () => {
    const pids = join(dir, 'timeout.pids');
    const error = await host.run(`echo $$ > ${pids}; sleep 60 & echo $! >> ${pids}; wait`, { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).code).toBe('command-timeout');
    expect((error as CommandTimeoutError).message).toContain('sleep 60');
    const [shell, sleeper] = await waitForFile(pids, 2);
    expect(await isGoneSoon(shell!)).toBe(true);
    expect(await isGoneSoon(sleeper!)).toBe(true);
  });

  it('kills the whole process group when cancelled', async () => {
    const pids = join(dir, 'abort.pids');
    const controller = new AbortController();
    const running = host.run(`echo $$ > ${pids}; sleep 60 & echo $! >> ${pids}; wait`, { signal: controller.signal });
    const [shell, sleeper] = await waitForFile(pids, 2);
    controller.abort();
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).code).toBe('cancelled');
    expect(await isGoneSoon(shell!)).toBe(true);
    expect(await isGoneSoon(sleeper!)).toBe(true);
  });

  it('does not start a command when already cancelled', async () => {
    const marker = join(dir, 'never');
    await expect(host.run(`touch ${marker}`, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('LocalHost files', () => {
  it('writes a private file into new nested directories, atomically, mode 0600', async () => {
    const target = keyFilePath(join(dir, 'install'), 'coremedia', 'cm_rls1');
    expect(target).toBe(join(dir, 'install', 'etc', 'keys', 'coremedia.cm_rls1.rijndael'));
    const data = randomBytes(48);
    await host.writePrivateFile(target, data);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'install', 'etc', 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'install')).mode & 0o777).toBe(0o700);

    // A file already there is never replaced: the write fails and leaves no temporary file.
    const again = randomBytes(32);
    await expect(host.writePrivateFile(target, again)).rejects.toMatchObject({ code: 'host-file', reason: 'exists' });
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(readdirSync(join(dir, 'install', 'etc', 'keys'))).toEqual(['coremedia.cm_rls1.rijndael']);

    // With keepExistingAs the old file is moved there first, and that name is not replaced either.
    await host.writePrivateFile(target, again, { keepExistingAs: `${target}.before-run1` });
    expect(readFileSync(target).equals(again)).toBe(true);
    expect(readFileSync(`${target}.before-run1`).equals(data)).toBe(true);
    expect(await host.sha256(target)).toBe(createHash('sha256').update(again).digest('hex'));
    await expect(host.writePrivateFile(target, randomBytes(8), { keepExistingAs: `${target}.before-run1` })).rejects.toMatchObject({ reason: 'exists' });
    expect(readFileSync(target).equals(again)).toBe(true);
    expect(readFileSync(`${target}.before-run1`).equals(data)).toBe(true);
    expect(readdirSync(join(dir, 'install', 'etc', 'keys')).sort()).toEqual(['coremedia.cm_rls1.rijndael', 'coremedia.cm_rls1.rijndael.before-run1']);

    // A write killed between keeping the old file's link and removing its name left both names on
    // one inode: the next write finishes that move instead of refusing (a resumed copy-key).
    linkSync(target, `${target}.before-run2`);
    const third = randomBytes(16);
    await host.writePrivateFile(target, third, { keepExistingAs: `${target}.before-run2` });
    expect(readFileSync(target).equals(third)).toBe(true);
    expect(readFileSync(`${target}.before-run2`).equals(again)).toBe(true);
  });

  it('reads a small file, refuses a large one, and names a missing one', async () => {
    const small = join(dir, 'small');
    writeFileSync(small, 'key');
    expect((await host.readFile(small)).toString()).toBe('key');

    const large = join(dir, 'large');
    writeFileSync(large, Buffer.alloc(2048));
    const tooLarge = await host.readFile(large, { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(HostFileError);
    expect((tooLarge as HostFileError).reason).toBe('too-large');

    const missing = await host.readFile(join(dir, 'nope')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HostFileError);
    expect(missing).toMatchObject({ code: 'host-file', reason: 'missing' });
    expect((missing as HostFileError).message).toContain(join(dir, 'nope'));
    expect(await host.sha256(join(dir, 'nope'))).toBeNull();
  });

  it('copies a private file and verifies it by SHA-256', async () => {
    const source = join(dir, 'mls', 'coremedia.cm_master.rijndael');
    const data = randomBytes(64);
    await host.writePrivateFile(source, data);
    const target = join(dir, 'rls', 'etc', 'keys', 'rls.cm_rls.rijndael');
    const result = await copyPrivateFile(host, source, host, target);
    const sha256 = createHash('sha256').update(data).digest('hex');
    expect(result).toEqual({ bytes: 64, sha256 });
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);

    // The same key again: nothing is written.
    expect(await copyPrivateFile(host, source, host, target, { keepExistingAs: `${target}.before-r2` })).toEqual({ bytes: 64, sha256, alreadyInPlace: true });
    expect(existsSync(`${target}.before-r2`)).toBe(false);

    // A different key at the target is kept aside, never overwritten; without a place to keep it, the copy fails.
    const other = randomBytes(64);
    writeFileSync(target, other, { mode: 0o600 });
    await expect(copyPrivateFile(host, source, host, target)).rejects.toMatchObject({ reason: 'exists' });
    expect(readFileSync(target).equals(other)).toBe(true);
    expect(await copyPrivateFile(host, source, host, target, { keepExistingAs: `${target}.before-r3` })).toEqual({ bytes: 64, sha256, keptExistingAs: `${target}.before-r3` });
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(readFileSync(`${target}.before-r3`).equals(other)).toBe(true);
  });
});
