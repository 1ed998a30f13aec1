// Opening an SSH connection with ssh2: the host key checked before anything is sent (the
// profile's pinned OpenSSH fingerprint wins; otherwise the user's known_hosts must list it,
// as `ssh` with StrictHostKeyChecking=yes), authentication in a fixed order (identity file,
// ssh-agent, password), and every failure turned into an error that says what to do.
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import { Client, utils, type AnyAuthMethod, type AuthHandlerMiddleware, type ConnectConfig } from 'ssh2';
import { formatServerRef, type ServerRef } from '../../../shared/profiles';
import { CancelledError, throwIfAborted } from '../cancellation';
import type { Secret } from '../secrets/secret';
import { HostKeyMismatchError, HostUnreachableError, SshAuthError } from './host';
import { HostKeyRevokedError, HostKeyUnknownError, KnownHostKeyChangedError } from './hostKeyErrors';
import { KnownHosts } from './knownHosts';

export interface SshConnectOptions {
  hostname: string;
  port: number;
  user: string;
  identityFile?: string;
  /** The expected OpenSSH fingerprint, `SHA256:…`. When set, known_hosts is not consulted. */
  hostKey?: string;
  /**
   * The OpenSSH known_hosts files to check a host without a pinned hostKey against
   * (knownHostsFiles(env) in knownHosts.ts). None given: every unpinned host is unknown.
   */
  knownHostsFiles?: readonly string[];
  /** The keychain's `ssh` secret: the identity file's passphrase, or the password when there is no identity file. */
  passphrase?: Secret | null;
  /** SSH_AUTH_SOCK. */
  agent?: string;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  /** Names the server in hints (`replica-desk secrets set inst/server ssh`). */
  ref?: ServerRef;
  /** The keychain secret kind named in hints; default `ssh`. */
  secretKind?: string;
  /** A channel through the previous hop (a jump host) instead of a TCP connection of our own. */
  sock?: Duplex;
  /** SSH keepalives: every `intervalMs` (default 15 s); the connection is dropped after `countMax` (default 4) unanswered. */
  keepalive?: { intervalMs: number; countMax: number };
}

export interface SshConnection {
  client: Client;
  description: string;
  hostKeyFingerprint: string;
}

export const DEFAULT_READY_TIMEOUT_MS = 20_000;

export const describeSshHost = (user: string, hostname: string, port: number): string => `ssh ${user}@${hostname}:${port}`;

/** OpenSSH's fingerprint of a host key blob: `SHA256:` and unpadded base64. */
export const sshFingerprint = (keyBlob: Buffer): string => `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;

const normalizeFingerprint = (fingerprint: string): string => fingerprint.trim().replace(/=+$/, '');

/** ssh2's default host key algorithms, in its order. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * The host key algorithms to ask for, those of the keys known_hosts records for the host
 * first: like ssh, so a server with several host keys offers the recorded one rather than
 * one that would look like a changed key.
 */
function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

type HostKeyRefusal = HostKeyMismatchError | HostKeyUnknownError | KnownHostKeyChangedError | HostKeyRevokedError;

/** Why the offered key is refused, or null when it is trusted: the pin wins, else known_hosts decides. */
function refuseHostKey(o: SshConnectOptions, description: string, knownHosts: KnownHosts | null, keyBlob: Buffer): HostKeyRefusal | null {
  const fingerprint = sshFingerprint(keyBlob);
  if (o.hostKey !== undefined) return normalizeFingerprint(o.hostKey) === fingerprint ? null : new HostKeyMismatchError(description, o.hostKey, fingerprint);
  const verdict = knownHosts?.check(o.hostname, o.port, keyBlob) ?? { kind: 'unknown' as const };
  switch (verdict.kind) {
    case 'known':
      return null;
    case 'revoked':
      return new HostKeyRevokedError(description, fingerprint, verdict.entry);
    case 'changed':
      return new KnownHostKeyChangedError(description, fingerprint, verdict.entries);
    case 'unknown':
      return new HostKeyUnknownError(description, fingerprint, o.port, knownHosts?.files ?? [], knownHosts?.unreadable ?? []);
  }
}

type SshError = Error & { level?: string; code?: string };

function unreachableReason(error: SshError, timeoutMs: number): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing listens on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'there is no route to that host';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the connection was reset';
  }
  if (error.level === 'client-timeout') return `no SSH handshake within ${Math.round(timeoutMs / 1000)} s`;
  if (error.level === 'protocol' || error.level === 'handshake') return `the SSH handshake failed (${error.message}); is it an SSH server?`;
  return error.message;
}

interface AuthAttempt {
  label: string;
  method: AnyAuthMethod;
}

/** The methods to try, in order, and the ones that could not even be tried (with why). */
async function authAttempts(o: SshConnectOptions): Promise<{ attempts: AuthAttempt[]; unusable: string[] }> {
  const attempts: AuthAttempt[] = [];
  const unusable: string[] = [];
  if (o.identityFile) {
    const label = `identity file ${o.identityFile}`;
    const data = await readFile(o.identityFile).catch((error: NodeJS.ErrnoException) => {
      unusable.push(`${label} (cannot be read: ${error.code === 'ENOENT' ? 'no such file' : error.code ?? error.message})`);
      return null;
    });
    if (data) {
      const parsed = utils.parseKey(data, o.passphrase?.reveal());
      if (parsed instanceof Error) {
        const encrypted = /encrypt|passphrase|decrypt/i.test(parsed.message);
        unusable.push(
          `${label} (${encrypted ? (o.passphrase ? 'the stored passphrase does not decrypt it' : 'it is encrypted and no passphrase is stored') : 'not a private key ssh2 can read'})`,
        );
      } else {
        const key = Array.isArray(parsed) ? parsed[0] : parsed;
        if (key) attempts.push({ label, method: { type: 'publickey', username: o.user, key } });
      }
    }
  }
  if (o.agent) attempts.push({ label: 'ssh-agent', method: { type: 'agent', username: o.user, agent: o.agent } });
  if (!o.identityFile && o.passphrase) {
    attempts.push({ label: 'password from the keychain', method: { type: 'password', username: o.user, password: o.passphrase.reveal() } });
  }
  return { attempts, unusable };
}

export async function connectSsh(o: SshConnectOptions): Promise<SshConnection> {
  throwIfAborted(o.signal);
  const description = describeSshHost(o.user, o.hostname, o.port);
  const readyTimeout = o.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const { attempts, unusable } = await authAttempts(o);
  const knownHosts = o.hostKey === undefined ? await KnownHosts.read(o.knownHostsFiles ?? []) : null;
  const knownTypes = knownHosts?.keyTypesFor(o.hostname, o.port) ?? [];
  const tried = [...unusable];
  const secretsCommand = `replica-desk secrets set ${o.ref ? formatServerRef(o.ref) : 'INSTALLATION/SERVER'} ${o.secretKind ?? 'ssh'}`;
  let seen: string | null = null;
  let refusal: HostKeyRefusal | null = null;

  const authHandler = ((methodsLeft: string[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void) => {
    for (;;) {
      const attempt = attempts.shift();
      if (!attempt) return next(false);
      // An agent signs with public keys; the server lists that as "publickey".
      const type = attempt.method.type === 'agent' ? 'publickey' : attempt.method.type;
      if (methodsLeft && !methodsLeft.includes(type)) {
        tried.push(`${attempt.label} (not accepted by the server)`);
        continue;
      }
      tried.push(attempt.label);
      return next(attempt.method);
    }
  }) as unknown as AuthHandlerMiddleware;

  const client = new Client();
  return new Promise<SshConnection>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      if (error) {
        client.on('error', () => undefined);
        client.destroy();
        reject(error);
      } else {
        resolve({ client, description, hostKeyFingerprint: seen ?? '' });
      }
    };
    const onAbort = (): void => finish(new CancelledError());
    const onError = (error: SshError): void => {
      if (error.level === 'agent') {
        // ssh2 moves on to the next method by itself; remember why the agent did not help.
        const i = tried.lastIndexOf('ssh-agent');
        if (i >= 0) tried[i] = `ssh-agent (unavailable: ${error.message})`;
        return;
      }
      if (refusal) return finish(refusal);
      if (error.level === 'client-authentication') return finish(new SshAuthError(description, tried, secretsCommand));
      finish(new HostUnreachableError(description, unreachableReason(error, readyTimeout), { cause: error }));
    };
    const onClose = (): void => finish(refusal ?? new HostUnreachableError(description, 'the connection closed during the SSH handshake'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', onError);
    client.once('close', onClose);
    client.once('ready', () => finish(null));
    const config: ConnectConfig = {
      host: o.hostname,
      port: o.port,
      username: o.user,
      readyTimeout,
      keepaliveInterval: o.keepalive?.intervalMs ?? 15_000,
      keepaliveCountMax: o.keepalive?.countMax ?? 4,
      ...(o.sock ? { sock: o.sock } : {}),
      // Runs before authentication: a refused key ends the handshake with nothing sent.
      hostVerifier: (keyBlob: Buffer): boolean => {
        seen = sshFingerprint(keyBlob);
        refusal = refuseHostKey(o, description, knownHosts, keyBlob);
        return !refusal;
      },
      ...(knownTypes.length ? { algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
      authHandler,
    };
    try {
      client.connect(config);
    } catch (error) {
      finish(new HostUnreachableError(description, error instanceof Error ? error.message : String(error), { cause: error }));
    }
  });
}

/**
 * The host key fingerprint a server presents, without authenticating: what the app shows
 * an admin to confirm before it writes the key to the profile (trust on first use).
 */
export async function probeSshHostKey(
  hostname: string,
  port: number,
  timeoutMs = DEFAULT_READY_TIMEOUT_MS,
  signal?: AbortSignal,
  /** A channel through the jump hosts before this one. */
  sock?: Duplex,
): Promise<string> {
  throwIfAborted(signal);
  const description = `ssh ${hostname}:${port}`;
  const client = new Client();
  return new Promise<string>((resolve, reject) => {
    let seen: string | null = null;
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      client.destroy();
      if (seen && !(error instanceof CancelledError)) resolve(seen);
      else reject(error ?? new HostUnreachableError(description, 'the server presented no host key'));
    };
    const onAbort = (): void => finish(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', (error: SshError) => finish(new HostUnreachableError(description, unreachableReason(error, timeoutMs), { cause: error })));
    client.once('close', () => finish(null));
    client.once('ready', () => finish(null));
    try {
      client.connect({
        host: hostname,
        port,
        username: 'replica-desk-host-key-probe',
        readyTimeout: timeoutMs,
        ...(sock ? { sock } : {}),
        // Refusing the key ends the connection before authentication: nothing is sent.
        hostVerifier: (keyBlob: Buffer): boolean => {
          seen = sshFingerprint(keyBlob);
          return false;
        },
        authHandler: ((_m: unknown, _p: unknown, next: (m: false) => void) => next(false)) as unknown as AuthHandlerMiddleware,
      });
    } catch (error) {
      finish(new HostUnreachableError(description, error instanceof Error ? error.message : String(error), { cause: error }));
    }
  });
}
