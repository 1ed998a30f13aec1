// A real OpenSSH server on loopback for integration tests: /usr/sbin/sshd in the
// foreground with its own config, host key and authorized keys, on a free port. It lets
// the current user in by public key only (a plain and a passphrase-protected ed25519 key)
// and offers SFTP, which the key copy needs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort } from '../../src/main/core/sandbox/postgresServer';

const run = promisify(execFile);

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The user running the tests (root on the build machines); sshd lets only it in. */
  user: string;
  identityFile: string;
  encryptedIdentityFile: string;
  passphrase: string;
  hostKeyFingerprint: string;
  /** `TYPE BASE64` of each host key sshd offers (ed25519 first), as a known_hosts line carries it. */
  hostPublicKeys: string[];
  /** sshd's own log (-E), for a failing test to show. */
  logFile: string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SFTP_SERVER = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server'];

const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [child, root] of running) {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
  });
}

/** OpenSSH's `SHA256:` fingerprint of a public key file's blob. */
function fingerprintOf(publicKeyFile: string): string {
  const blob = Buffer.from(readFileSync(publicKeyFile, 'utf8').trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

async function keygen(file: string, passphrase: string, type = 'ed25519'): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'replica-desk-test', '-f', file]);
}

/** Resolves once sshd sends its banner; rejects if sshd exits first. */
async function waitForBanner(child: ChildProcess, port: number, logFile: string): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`sshd exited during startup:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
    const banner = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString('latin1').startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
    });
    if (banner) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SshdOptions {
  /** More host keys besides the ed25519 one, e.g. `['ecdsa']`, as a real host has. */
  extraHostKeyTypes?: string[];
  /** sshd's LogLevel; DEBUG1 logs every direct-tcpip channel (where a forward went). Default VERBOSE. */
  logLevel?: 'VERBOSE' | 'DEBUG1';
  /** More sshd_config lines, e.g. `PermitOpen 127.0.0.1:5432` (only that forward target allowed). */
  extraConfig?: string[];
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const sftpServer = SFTP_SERVER.find((p) => existsSync(p));
  if (!existsSync(SSHD) || !sftpServer) throw new Error('OpenSSH server not found; install it with: apt-get install -y openssh-server');
  // sshd checks for its privilege separation directory even when run by hand.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const root = mkdtempSync(join(tmpdir(), 'replica-desk-sshd-'));
  const hostKey = join(root, 'host_ed25519');
  const extraHostKeys = (options.extraHostKeyTypes ?? []).map((type) => ({ type, file: join(root, `host_${type}`) }));
  const identityFile = join(root, 'id_plain');
  const encryptedIdentityFile = join(root, 'id_encrypted');
  const passphrase = randomBytes(12).toString('base64url');
  const logFile = join(root, 'sshd.log');
  const user = userInfo().username;
  try {
    await Promise.all([
      keygen(hostKey, ''),
      keygen(identityFile, ''),
      keygen(encryptedIdentityFile, passphrase),
      ...extraHostKeys.map((k) => keygen(k.file, '', k.type)),
    ]);
    const authorizedKeys = join(root, 'authorized_keys');
    writeFileSync(authorizedKeys, [identityFile, encryptedIdentityFile].map((f) => readFileSync(`${f}.pub`, 'utf8')).join(''), { mode: 0o600 });

    for (let attempt = 1; ; attempt += 1) {
      const port = await freeLoopbackPort();
      const config = join(root, 'sshd_config');
      writeFileSync(
        config,
        [
          `ListenAddress 127.0.0.1:${port}`,
          `HostKey ${hostKey}`,
          ...extraHostKeys.map((k) => `HostKey ${k.file}`),
          `PidFile ${join(root, 'sshd.pid')}`,
          `AuthorizedKeysFile ${authorizedKeys}`,
          `AllowUsers ${user}`,
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          'StrictModes no',
          'UsePAM no',
          'PrintMotd no',
          `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
          ...(options.extraConfig ?? []),
          `Subsystem sftp ${sftpServer}`,
          '',
        ].join('\n'),
      );
      const child = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: 'ignore' });
      running.set(child, root);
      installExitHook();
      try {
        await waitForBanner(child, port, logFile);
      } catch (error) {
        running.delete(child);
        // Another process may have taken the port between our probe and sshd's bind.
        if (attempt < 3) continue;
        throw error;
      }
      let stopping: Promise<void> | null = null;
      return {
        host: '127.0.0.1',
        port,
        user,
        identityFile,
        encryptedIdentityFile,
        passphrase,
        hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
        hostPublicKeys: [hostKey, ...extraHostKeys.map((k) => k.file)].map((f) => readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')),
        logFile,
        stop() {
          stopping ??= new Promise<void>((resolve) => {
            const done = (): void => {
              running.delete(child);
              rmSync(root, { recursive: true, force: true });
              resolve();
            };
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          });
          return stopping;
        },
      };
    }
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
