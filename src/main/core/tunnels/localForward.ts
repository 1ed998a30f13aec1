// A local forward owned by its opener: a TCP listener on 127.0.0.1 and an ephemeral port
// whose every connection becomes a direct-tcpip channel through an SSH connection to the
// target (as `ssh -L 0:target:port`). pg, pg_dump, pg_restore and psql connect here.
// Closing it stops the listener and destroys every connection still open through it.
import { createServer, type Server, type Socket } from 'node:net';
import type { Client } from 'ssh2';

export interface ForwardTarget {
  host: string;
  port: number;
}

export class LocalForward {
  readonly host = '127.0.0.1';
  /** Why the last channel was refused by the far end, for an error that says more than "connection reset". */
  lastChannelError: string | null = null;
  /** How many connections went through it (tests prove the traffic used the tunnel). */
  channelsOpened = 0;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly target: ForwardTarget,
  ) {}

  static async open(client: Client, target: ForwardTarget): Promise<LocalForward> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.removeListener('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the local forward has no port'));
      });
    });
    const forward = new LocalForward(server, port, target);
    server.on('connection', (socket) => forward.accept(client, socket));
    server.on('error', () => undefined);
    return forward;
  }

  private accept(client: Client, socket: Socket): void {
    if (this.closed) return void socket.destroy();
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      client.forwardOut(socket.remoteAddress ?? '127.0.0.1', socket.remotePort ?? 0, this.target.host, this.target.port, (error, channel) => {
        if (error) {
          this.lastChannelError = channelFailureReason(error);
          return void socket.destroy();
        }
        if (socket.destroyed || this.closed) return void channel.close();
        this.channelsOpened += 1;
        channel.on('error', () => socket.destroy());
        channel.once('close', () => socket.destroy());
        socket.once('close', () => channel.close());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      });
    } catch (error) {
      // ssh2 throws when the connection is already gone.
      this.lastChannelError = error instanceof Error ? error.message : String(error);
      socket.destroy();
    }
  }

  /** Stops accepting and cuts every open connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** ssh2's channel-open failure in words: its message carries the server's description ("Connection refused"). */
export function channelFailureReason(error: Error & { reason?: unknown }): string {
  const text = error.message.replace(/^\(SSH\)\s*Channel open failure:\s*/i, '').trim();
  if (text) return text;
  const codes: Record<number, string> = { 1: 'administratively prohibited (sshd forbids this forward)', 2: 'connect failed', 3: 'unknown channel type', 4: 'resource shortage' };
  return typeof error.reason === 'number' ? (codes[error.reason] ?? `reason ${error.reason}`) : String(error.reason ?? 'refused');
}
