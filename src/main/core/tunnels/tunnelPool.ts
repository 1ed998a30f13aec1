// The SSH connections and local forwards of one run (or one topology probe, or one
// connection test): one connection per hop, opened in order, each later hop reached
// through a channel of the one before (ProxyJump), shared by every route that starts with
// the same hops, kept alive with SSH keepalives, and all closed by close(), whatever
// happened. A hop that closes or stops answering after it was open marks the pool
// dropped: callers turn their own failure into that TunnelDroppedError.
import type { Client, ClientChannel } from 'ssh2';
import type { ServerRef } from '../../../shared/profiles';
import { CancelledError, throwIfAborted } from '../cancellation';
import { HostUnreachableError } from '../hosts/host';
import { knownHostsFiles } from '../hosts/knownHosts';
import { expandHome } from '../hosts/homeDir';
import { sshAgentFor } from '../hosts/sshAgent';
import { connectSsh, DEFAULT_READY_TIMEOUT_MS, type SshConnection, type SshConnectOptions } from '../hosts/sshConnection';
import type { Secret } from '../secrets/secret';
import { channelFailureReason, LocalForward } from './localForward';
import { SshChannelRefusedError, SshHopError, TunnelDroppedError } from './tunnelErrors';
import type { SshHop, SshRoute } from './sshRoute';

/** Runs: a dead hop is noticed within about 15 s (5 s × 3 unanswered keepalives). */
export const RUN_KEEPALIVE = { intervalMs: 5_000, countMax: 3 } as const;

export interface TunnelPoolOptions {
  /** The hop's passphrase or password from the keychain (endpoint-bound), or null (hopSecrets.ts). */
  secretFor(hop: SshHop, ref: ServerRef): Promise<Secret | null>;
  /** A hop's failure as the admin should read it: a refused login may be a locked keychain or a withheld secret (hopSecrets.ts). */
  explainAuthFailure?(hop: SshHop, ref: ServerRef, error: Error): Error;
  /** For SSH_AUTH_SOCK, HOME (known_hosts, `~` in identity files). */
  env: NodeJS.ProcessEnv;
  keepalive?: { intervalMs: number; countMax: number };
  /** Per hop handshake bound; a signal bounds the whole opening. */
  readyTimeoutMs?: number;
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** Bounds opening every hop not yet open (and the forward), in total. */
  timeoutMs?: number;
}

/** What connectSsh needs for a resolved hop: its address, key file (`~` from env), host key check and the agent. */
export function hopConnectOptions(hop: SshHop, env: NodeJS.ProcessEnv, ref: ServerRef): SshConnectOptions {
  return {
    hostname: hop.hostname,
    port: hop.port,
    user: hop.user,
    identityFile: hop.identityFile ? expandHome(hop.identityFile, env) : undefined,
    hostKey: hop.hostKey,
    knownHostsFiles: knownHostsFiles(env),
    agent: sshAgentFor(env),
    ref,
    secretKind: hop.secretKind,
  };
}

const hopKey = (hop: SshHop): string => JSON.stringify([hop.user, hop.hostname.toLowerCase(), hop.port, hop.hostKey ?? null, hop.identityFile ?? null]);
const prefixKey = (hops: readonly SshHop[], n: number): string => hops.slice(0, n + 1).map(hopKey).join(' > ');

/** A channel from `via` to the next hop, as a jump host opens it. */
export function channelTo(via: Client, from: SshHop, to: SshHop, signal: AbortSignal | undefined): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      via.forwardOut('127.0.0.1', 0, to.hostname, to.port, (error, channel) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) return reject(new SshChannelRefusedError(from, { host: to.hostname, port: to.port }, channelFailureReason(error)));
        if (signal?.aborted) {
          channel.close();
          return reject(new CancelledError());
        }
        resolve(channel);
      });
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      reject(new HostUnreachableError(`ssh ${from.user}@${from.hostname}:${from.port}`, error instanceof Error ? error.message : String(error)));
    }
  });
}

export class TunnelPool {
  private readonly connections = new Map<string, Promise<SshConnection>>();
  private readonly forwards = new Map<string, Promise<LocalForward>>();
  private readonly opened: SshConnection[] = [];
  private dropError: TunnelDroppedError | null = null;
  private readonly dropListeners = new Set<(error: TunnelDroppedError) => void>();
  private closing = false;

  constructor(private readonly options: TunnelPoolOptions) {}

  /** The first hop that went away after it was open, or null. */
  get dropped(): TunnelDroppedError | null {
    return this.dropError;
  }

  onDrop(listener: (error: TunnelDroppedError) => void): () => void {
    this.dropListeners.add(listener);
    return () => this.dropListeners.delete(listener);
  }

  /**
   * The connection to the last of `hops`, opening (or reusing) each hop on the way.
   * Rejects with SshHopError naming the hop that failed, or CancelledError.
   */
  async connect(ref: ServerRef, hops: readonly SshHop[], options: OpenOptions = {}): Promise<SshConnection> {
    if (hops.length === 0) throw new Error('an SSH route needs at least one hop');
    const signal = this.signalFor(options);
    let previous: SshConnection | null = null;
    for (let i = 0; i < hops.length; i += 1) {
      throwIfAborted(signal);
      previous = await this.hop(ref, hops, i, previous, signal);
    }
    return previous!;
  }

  /** A local forward to the route's target through its hops; one per route and target. */
  async forward(ref: ServerRef, route: SshRoute, options: OpenOptions = {}): Promise<LocalForward> {
    const signal = this.signalFor(options);
    const key = `${prefixKey(route.hops, route.hops.length - 1)} > ${route.target.host.toLowerCase()}:${route.target.port}`;
    let forward = this.forwards.get(key);
    if (!forward) {
      forward = this.connect(ref, route.hops, { signal }).then((last) => {
        if (this.closing) throw new CancelledError();
        return LocalForward.open(last.client, route.target);
      });
      this.forwards.set(key, forward);
      forward.catch(() => this.forwards.delete(key));
    }
    const opened = await forward;
    if (this.closing) {
      await opened.close();
      throw new CancelledError();
    }
    return opened;
  }

  /** Closes every forward and connection, last hop first. Idempotent; never rejects. */
  async close(): Promise<void> {
    this.closing = true;
    const forwards = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(forwards.map((f) => f.then((x) => x.close(), () => undefined)));
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(pending.map((p) => p.catch(() => undefined)));
    for (const connection of this.opened.reverse()) {
      connection.client.removeAllListeners('close');
      connection.client.removeAllListeners('end');
      connection.client.on('error', () => undefined);
      connection.client.end();
    }
    this.opened.length = 0;
  }

  private signalFor(options: OpenOptions): AbortSignal | undefined {
    const signals = [options.signal, options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
    return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  }

  private hop(ref: ServerRef, hops: readonly SshHop[], i: number, via: SshConnection | null, signal: AbortSignal | undefined): Promise<SshConnection> {
    const key = prefixKey(hops, i);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = this.open(ref, hops, i, via, signal);
      this.connections.set(key, connection);
      connection.catch(() => this.connections.delete(key));
    }
    return connection;
  }

  private async open(ref: ServerRef, hops: readonly SshHop[], i: number, via: SshConnection | null, signal: AbortSignal | undefined): Promise<SshConnection> {
    const hop = hops[i]!;
    const env = this.options.env;
    try {
      const sock = via ? await channelTo(via.client, hops[i - 1]!, hop, signal) : undefined;
      const connection = await connectSsh({
        ...hopConnectOptions(hop, env, ref),
        passphrase: await this.options.secretFor(hop, ref),
        readyTimeoutMs: this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        signal,
        sock,
        keepalive: this.options.keepalive ?? RUN_KEEPALIVE,
      });
      if (this.closing) {
        connection.client.end();
        throw new CancelledError();
      }
      this.opened.push(connection);
      this.watch(connection, hops, i);
      return connection;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      const reason = error instanceof Error ? error : new Error(String(error));
      throw new SshHopError(i, hops.length, hop, this.options.explainAuthFailure?.(hop, ref, reason) ?? reason);
    }
  }

  /** After it was open, a hop's close (or keepalive timeout) drops everything through it. */
  private watch(connection: SshConnection, hops: readonly SshHop[], i: number): void {
    let reason = 'the connection closed';
    connection.client.on('error', (error: Error) => (reason = /keepalive/i.test(error.message) ? 'it stopped answering keepalives' : error.message));
    let gone = false;
    // Through a jump host the hop's socket is a channel, which may end without a close.
    const onGone = (): void => {
      if (gone || this.closing) return;
      gone = true;
      // Later routes open this hop afresh (a resume in the same process).
      for (const key of [...this.connections.keys()]) if (key.startsWith(prefixKey(hops, i))) this.connections.delete(key);
      for (const [key, forward] of [...this.forwards]) {
        if (!key.startsWith(prefixKey(hops, i))) continue;
        this.forwards.delete(key);
        void forward.then((f) => f.close(), () => undefined);
      }
      const error = new TunnelDroppedError(i, hops.length, hops[i]!, reason);
      this.dropError ??= error;
      for (const listener of this.dropListeners) listener(error);
      connection.client.end();
    };
    connection.client.once('end', onGone);
    connection.client.once('close', onGone);
  }
}
