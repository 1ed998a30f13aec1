// A loopback TCP proxy for fault injection: put it between the code under test and a
// PostgreSQL port, then break the "network" on purpose.
//
//   const proxy = await startTcpProxy({ host: cluster.host, port: cluster.port });
//   const db = { ...settings, host: proxy.host, port: proxy.port };   // connect through it
//   proxy.freeze();             // sockets stay open, nothing moves either way (a hung NAT/VPN)
//   proxy.thaw();               // everything held back flows again
//   proxy.cut();                // every open connection is reset (ECONNRESET on both ends)
//   proxy.cut({ refuseNew: true }); proxy.reopen();   // ...and new connects are refused meanwhile
//   proxy.freezeAfter(1 << 20, 'toClient');           // freeze mid-stream, deterministically
//   await proxy.close();
//
// Only loopback: it listens on 127.0.0.1 (ephemeral port) and forwards only to a loopback
// address. Bounded: at most `maxConnections` pairs, and a frozen or slow side is paused
// rather than buffered, so memory stays within the sockets' own buffers.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Direction = 'toServer' | 'toClient';

export interface TcpProxy {
  readonly host: '127.0.0.1';
  /** The proxy's own port; connect here instead of the target's. */
  readonly port: number;
  /** Connection pairs open now (a client accepted during a freeze counts too). */
  readonly connections: number;
  /** Connections accepted since the start, closed ones included (how many times a client connected). */
  readonly accepted: number;
  /** Bytes forwarded so far, per direction, over all connections. */
  readonly bytes: Readonly<Record<Direction, number>>;
  readonly frozen: boolean;
  /** When the current freeze began (Date.now()), or null; lets a test time what follows it. */
  readonly frozenSince: number | null;
  /**
   * Stops forwarding in both directions: every socket stays open and is paused (its
   * peer's writes back up in the kernel buffers, then block). A client that connects while
   * frozen is accepted, but its upstream connection is only made at thaw().
   */
  freeze(): void;
  /** Freezes as soon as `bytes` more bytes have been forwarded in `direction` (the chunk that crosses the mark still passes). */
  freezeAfter(bytes: number, direction: Direction): void;
  /** Undoes freeze(): paused sockets resume, held clients get their upstream connection. */
  thaw(): void;
  /**
   * Resets every open connection, both sides (the peers see ECONNRESET, as after a lost
   * route). With `refuseNew`, the proxy also stops listening, so new connects are refused
   * (ECONNREFUSED) until reopen(); without it, new connections are proxied as usual.
   */
  cut(options?: { refuseNew?: boolean }): void;
  /** Listens again on the same port after cut({ refuseNew: true }). */
  reopen(): Promise<void>;
  /** Resets every connection and stops listening for good. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startTcpProxy(target: { host: string; port: number }, options: { maxConnections?: number } = {}): Promise<TcpProxy> {
  if (!LOOPBACK.has(target.host)) throw new Error(`tcpProxy forwards only to loopback, not to ${target.host}`);
  const maxConnections = options.maxConnections ?? 64;
  const pairs = new Set<Pair>();
  const bytes: Record<Direction, number> = { toServer: 0, toClient: 0 };
  let frozen = false;
  let frozenSince: number | null = null;
  let trigger: { direction: Direction; at: number } | null = null;
  let listening = false;
  let closed = false;
  let accepted = 0;

  const sockets = (pair: Pair): Socket[] => (pair.upstream ? [pair.client, pair.upstream] : [pair.client]);
  const reset = (pair: Pair): void => {
    for (const s of sockets(pair)) if (!s.destroyed) s.resetAndDestroy();
    pairs.delete(pair);
  };
  // One side went away: close the other gracefully, unless frozen (then nothing passes, not even a FIN; thaw() settles it).
  const settle = (pair: Pair): void => {
    if (frozen) return;
    const { client, upstream } = pair;
    if (client.destroyed && upstream && !upstream.destroyed) upstream.end();
    if (upstream?.destroyed && !client.destroyed) client.end();
    if (client.destroyed && (!upstream || upstream.destroyed)) pairs.delete(pair);
  };

  const freeze = (): void => {
    if (!frozen) frozenSince = Date.now();
    frozen = true;
    trigger = null;
    for (const pair of pairs) for (const s of sockets(pair)) s.pause();
  };

  // Forwards by hand rather than with pipe(): pipe() resumes its source on 'drain', which would undo a freeze.
  const forward = (from: Socket, to: Socket, direction: Direction): void => {
    from.on('data', (chunk: Buffer) => {
      bytes[direction] += chunk.length;
      if (!to.write(chunk)) from.pause();
      if (trigger && trigger.direction === direction && bytes[direction] >= trigger.at) freeze();
    });
    to.on('drain', () => {
      if (!frozen) from.resume();
    });
    from.on('end', () => to.end());
  };

  const link = (pair: Pair): void => {
    const upstream = connect({ host: target.host, port: target.port });
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => settle(pair));
    forward(pair.client, upstream, 'toServer');
    forward(upstream, pair.client, 'toClient');
    pair.client.resume();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    if (pairs.size >= maxConnections) {
      client.resetAndDestroy();
      return;
    }
    accepted += 1;
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => settle(pair));
    if (!frozen) link(pair);
  });

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  await listen(0);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tcpProxy: no port');
  const port = address.port;

  return {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    get connections() {
      return pairs.size;
    },
    bytes,
    get frozen() {
      return frozen;
    },
    get frozenSince() {
      return frozenSince;
    },
    freeze,
    freezeAfter(count, direction) {
      trigger = { direction, at: bytes[direction] + count };
    },
    thaw() {
      frozen = false;
      frozenSince = null;
      trigger = null;
      for (const pair of [...pairs]) {
        if (!pair.upstream && !pair.client.destroyed) link(pair);
        else for (const s of sockets(pair)) s.resume();
        settle(pair);
      }
    },
    cut(o = {}) {
      for (const pair of [...pairs]) reset(pair);
      if (o.refuseNew) void stopListening();
    },
    async reopen() {
      if (closed) throw new Error('tcpProxy: closed');
      if (!listening) await listen(port);
    },
    async close() {
      closed = true;
      for (const pair of [...pairs]) reset(pair);
      await stopListening();
    },
  };
}
