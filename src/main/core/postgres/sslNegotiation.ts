// sslmode=prefer on one connection, as libpq does it: send SSLRequest, and on 'S' continue
// with TLS, on 'N' continue in plain text on the same socket. pg only knows "TLS or fail":
// on 'N' it closes the socket, so a prefer fallback cost a second TCP connection (and a
// second backend start on the server). Here the negotiation happens first, and pg gets the
// socket it would have ended up with, already connected, as its `stream`, with ssl off.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** The SSLRequest message: length 8, request code 1234 5679. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface NegotiatedStream {
  /** The TLS socket after 'S', the plain one after 'N'; connected, with the startup message still to send. */
  stream: Socket | TLSSocket;
  tls: boolean;
}

export interface NegotiateOptions {
  host: string;
  port: number;
  /** The server's own name when `host` is a local forward's address: for SNI and the certificate check. */
  serverName?: string;
  /** TLS options for when the server offers TLS. */
  tls: ConnectionOptions;
  keepAliveInitialDelayMs: number;
  /** Destroys the socket and rejects with the signal's reason. */
  signal: AbortSignal;
}

/**
 * pg calls `connect()` on a stream it is given, attaches its reader and waits for 'connect';
 * this one is connected already, so it only lets the bytes flow again and says so.
 */
function asConnectedStream(socket: Socket): Socket {
  const alreadyConnected = (): Socket => {
    process.nextTick(() => {
      socket.resume();
      socket.emit('connect');
    });
    return socket;
  };
  socket.connect = alreadyConnected as Socket['connect'];
  return socket;
}

export function negotiateSsl(options: NegotiateOptions): Promise<NegotiatedStream> {
  const { host, port, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = netConnect({ host, port });
    let current: Socket = socket;
    const fail = (error: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      current.destroy();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const closedEarly = (): void => fail(new Error('Connection terminated unexpectedly'));
    const done = (stream: Socket, tls: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      stream.removeListener('error', fail);
      socket.removeListener('error', fail);
      socket.removeListener('close', closedEarly);
      resolve({ stream: asConnectedStream(stream), tls });
    };
    socket.once('error', fail);
    socket.once('close', closedEarly);
    socket.once('connect', () => {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, options.keepAliveInitialDelayMs);
      socket.write(SSL_REQUEST);
    });
    socket.once('data', (answer: Buffer) => {
      socket.pause();
      // The server sends nothing more until we speak: extra bytes would be injected ones (CVE-2021-23222).
      if (answer.length !== 1 || (answer[0] !== 0x53 && answer[0] !== 0x4e)) {
        return fail(new Error('There was an error establishing an SSL connection'));
      }
      if (answer[0] === 0x4e) return done(socket, false); // 'N'
      // 'S'. SNI must not carry an IP address (RFC 6066); `host` still serves the identity check.
      const name = options.serverName ?? host;
      const secure = tlsConnect({ ...options.tls, socket, host: name, ...(isIP(name) === 0 ? { servername: name } : {}) });
      current = secure;
      secure.once('error', fail);
      secure.once('secureConnect', () => done(secure, true));
    });
  });
}
