// The fault-injection proxy itself, in front of a loopback echo server: what passes, what
// a freeze holds back (without closing anything), and what a cut does to both ends.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy';

let echo: Server;
let echoPort: number;
const upstreamSockets = new Set<Socket>();
let proxy: TcpProxy | null = null;

beforeAll(async () => {
  echo = createServer((s) => {
    upstreamSockets.add(s);
    s.on('close', () => upstreamSockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));
afterEach(async () => {
  await proxy?.close();
  proxy = null;
});

function client(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    const closed = new Promise<string>((r) => {
      socket.on('error', (e: NodeJS.ErrnoException) => r(e.code ?? e.message));
      socket.on('close', () => r('closed'));
    });
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('tcpProxy', () => {
  it('forwards both ways on a loopback port and counts the bytes', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    expect(proxy.host).toBe('127.0.0.1');
    const c = await client(proxy.port);
    c.socket.write('hello');
    await expect.poll(() => c.received()).toBe('hello');
    expect(proxy.bytes).toEqual({ toServer: 5, toClient: 5 });
    expect(proxy.connections).toBe(1);
    c.socket.end();
  });

  it('freeze holds data back without closing anything; thaw delivers it', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const c = await client(proxy.port);
    proxy.freeze();
    c.socket.write('held');
    const late = await client(proxy.port); // accepted while frozen, linked at thaw
    late.socket.write('late');
    await sleep(300);
    expect(c.received()).toBe('');
    expect(late.received()).toBe('');
    expect(c.socket.destroyed).toBe(false);
    expect(proxy.connections).toBe(2);
    proxy.thaw();
    await expect.poll(() => c.received()).toBe('held');
    await expect.poll(() => late.received()).toBe('late');
    c.socket.end();
    late.socket.end();
  });

  it('freezeAfter freezes once that many bytes have passed', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const c = await client(proxy.port);
    proxy.freezeAfter(4, 'toClient');
    c.socket.write('abcd');
    await expect.poll(() => c.received()).toBe('abcd');
    expect(proxy.frozen).toBe(true);
    c.socket.write('efgh');
    await sleep(300);
    expect(c.received()).toBe('abcd');
    proxy.thaw();
    await expect.poll(() => c.received()).toBe('abcdefgh');
    c.socket.end();
  });

  it('cut resets both ends; with refuseNew, connects are refused until reopen', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const c = await client(proxy.port);
    c.socket.write('x');
    await expect.poll(() => c.received()).toBe('x');
    expect(upstreamSockets.size).toBe(1);
    proxy.cut({ refuseNew: true });
    expect(await c.closed).toBe('ECONNRESET');
    await expect.poll(() => upstreamSockets.size).toBe(0);
    await expect(client(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.reopen();
    const again = await client(proxy.port);
    again.socket.write('y');
    await expect.poll(() => again.received()).toBe('y');
    again.socket.end();
  });

  it('forwards only to loopback', async () => {
    await expect(startTcpProxy({ host: '10.0.0.1', port: 5432 })).rejects.toThrow(/loopback/);
  });
});
