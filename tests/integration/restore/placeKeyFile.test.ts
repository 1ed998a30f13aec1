// The one helper both key steps use (copy-key of a restore, restore-key of a rollback),
// against a real OpenSSH server: a key file placed from this machine onto an SSH host,
// the different one there kept as `<file>.before-<run>`, the same key left as it is on a
// resume, and a rollback's copy back on the SSH host keeping the master's key in turn.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../src/main/core/hosts/localHost';
import { openSshHost, type SshHost } from '../../../src/main/core/hosts/sshHost';
import { keptKeyFileName, placeKeyFile } from '../../../src/main/core/restore/steps/placeKeyFile';
import { startSshd, type Sshd } from '../../harness/sshd';

let sshd: Sshd;
let ssh: SshHost;
let dir: string;
const local = new LocalHost();
const words = { sameAs: "the master's", placed: "Copied the master's key file", keptFile: 'the different key file' };

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'rd-placekey-'));
  ssh = await openSshHost({ hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint });
});
afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('placeKeyFile', () => {
  it('places a key over SSH, keeps a different one as .before-<run>, leaves the same one, and puts the kept one back', async () => {
    const master = join(dir, 'mls', 'coremedia.cm_master.rijndael');
    const replicaKey = join(dir, 'rls1', 'etc', 'keys', 'rls1.cm_rls1.rijndael');
    const masterData = randomBytes(64);
    const replicaData = randomBytes(64);
    await local.writePrivateFile(master, masterData);
    await ssh.writePrivateFile(replicaKey, replicaData);

    const placed = await placeKeyFile({ from: { host: local, path: master }, to: { host: ssh, path: replicaKey }, runId: 'run1', words, keptAsField: 'previousKeyFileKeptAs' });
    const kept = keptKeyFileName(replicaKey, 'run1');
    expect(kept).toBe(`${replicaKey}.before-run1`);
    expect(readFileSync(replicaKey).equals(masterData)).toBe(true);
    expect(statSync(replicaKey).mode & 0o777).toBe(0o600);
    expect(readFileSync(kept).equals(replicaData)).toBe(true);
    expect(placed.message).toBe(`Copied the master's key file: ${master} → ${replicaKey} (64 bytes, SHA-256 verified, mode 0600); the different key file that was there is kept as ${kept}`);
    expect(placed.captured).toMatchObject({ keyFile: replicaKey, previousKeyFileKeptAs: kept });

    // A resume after the copy: the same key is there, nothing is written or kept again; the
    // record still says what the first attempt kept aside.
    const again = await placeKeyFile({ from: { host: local, path: master }, to: { host: ssh, path: replicaKey }, runId: 'run1', words, keptAsField: 'previousKeyFileKeptAs' });
    expect(again.message).toBe(`The key file ${replicaKey} is already the master's (64 bytes, SHA-256 verified); left as it was; the different key file that was there is kept as ${kept}`);
    expect(again.captured).toMatchObject({ alreadyInPlace: true, previousKeyFileKeptAs: kept });
    expect(readFileSync(kept).equals(replicaData)).toBe(true);
    // Another run finding the same key has kept nothing.
    const other = await placeKeyFile({ from: { host: local, path: master }, to: { host: ssh, path: replicaKey }, runId: 'run2', words, keptAsField: 'previousKeyFileKeptAs' });
    expect(other.message).toBe(`The key file ${replicaKey} is already the master's (64 bytes, SHA-256 verified); left as it was`);
    expect(other.captured).not.toHaveProperty('previousKeyFileKeptAs');

    // The rollback's way: the kept file back, on the SSH host itself; the master's key kept in turn.
    const back = await placeKeyFile({
      from: { host: ssh, path: kept },
      to: { host: ssh, path: replicaKey },
      runId: 'rollback1',
      words: { sameAs: 'the one the replica had before run run1', placed: 'Put back the key file the replica had before run run1', keptFile: "the master's key file" },
      keptAsField: 'masterKeyFileKeptAs',
      captured: { restoredFrom: kept },
    });
    expect(readFileSync(replicaKey).equals(replicaData)).toBe(true);
    expect(readFileSync(keptKeyFileName(replicaKey, 'rollback1')).equals(masterData)).toBe(true);
    expect(back.captured).toMatchObject({ keyFile: replicaKey, restoredFrom: kept, masterKeyFileKeptAs: `${replicaKey}.before-rollback1` });
    expect(back.message).toContain("the master's key file that was there is kept as");
  });
});
