// The renderer's HTTP bridge for end-to-end tests and browser preview: serves the built
// renderer (out/renderer) and answers `POST /api/<operation>` with the same transport-
// neutral handlers Electron registers on IPC, driving the real core (SQLite, keychain,
// PostgreSQL). Restore and sandbox events, which Electron sends to the window, stream to
// every browser connected to `GET /api/events` (Server-Sent Events; sandbox events as the
// named event `sandbox`). Only loopback, only the operations of the shared contract.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { operations, type Operation } from '../../../src/shared/api';
import { fail } from '../../../src/shared/result';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/contentSecurityPolicy';
import { openReplicaDesk } from '../../../src/main/core/replicaDesk';
import { createHandlers } from '../../../src/main/ipc/handlers';
import type { ConfirmInMain } from '../../../src/main/ipc/confirmInMain';
import { RestoreSessions } from '../../../src/main/core/restore/restoreSessions';
import type { RestoreEvent } from '../../../src/shared/restoreEvents';
import { SandboxJobs } from '../../../src/main/ipc/sandboxJobs';
import { SANDBOX_SSE_EVENT, type SandboxEvent } from '../../../src/shared/sandboxEvents';

export const RENDERER_DIR = resolve(__dirname, '../../../out/renderer');
const MAX_BODY_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface Bridge {
  url: string;
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** The core's data directory (SQLite, logs). */
  home: string;
  /** The core's environment (e.g. a PGPASSFILE); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  rendererDir?: string;
  /** Stands in for the main process's native dialog; defaults to refusing, as the app does without one. */
  confirmInMain?: ConfirmInMain;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The file under `root` that a URL path names, or null when it would leave `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  const inside = relative(root, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : file;
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
  }
  const file = resolveStaticPath(root, pathname);
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // As in Electron, the header carries the policy too (with frame-ancestors, which a meta tag cannot).
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

/** Fans restore and sandbox events out to the browsers listening on `GET /api/events`. */
class EventStream {
  private readonly clients = new Set<ServerResponse>();

  connect(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // A comment line, so the browser's EventSource reports the stream open at once.
    res.write(': connected\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  /** A restore event as the stream's default message; other events under their SSE name. */
  emit(event: RestoreEvent | SandboxEvent, name?: string): void {
    const frame = `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(event)}\n\n`;
    for (const res of this.clients) res.write(frame);
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const rendererDir = options.rendererDir ?? RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`${join(rendererDir, 'index.html')} is missing: run \`npm run build\` first (npm test builds before testing).`);
  }
  const core = openReplicaDesk({ home: options.home, env: options.env });
  const events = new EventStream();
  // The bridge keeps the sessions, so closing it can stop its runs before the core closes.
  const sessions = new RestoreSessions(core.restore, (event) => events.emit(event), core.log);
  const sandboxJobs = new SandboxJobs(() => core.sandbox, (event) => events.emit(event, SANDBOX_SSE_EVENT));
  const handlers = createHandlers(core, { emit: (event) => events.emit(event), sessions, sandboxJobs, ...(options.confirmInMain ? { confirmInMain: options.confirmInMain } : {}) });
  const known = new Set<string>(operations);

  const handleApi = async (req: IncomingMessage, res: ServerResponse, op: string) => {
    if (!known.has(op)) {
      return sendJson(res, 404, fail({ code: 'unknown-operation', message: `There is no operation "${op}".`, hint: 'Use one of the operations in src/shared/api.ts.' }));
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, fail({ code: 'method-not-allowed', message: 'Operations are called with POST.', hint: 'POST a JSON request body.' }));
    }
    let request: unknown;
    try {
      const body = await readBody(req);
      request = body.trim() === '' ? {} : JSON.parse(body);
    } catch (e) {
      return sendJson(res, 400, fail({ code: 'invalid-request', message: `The request body is not usable JSON (${e instanceof Error ? e.message : String(e)}).`, hint: 'Send one JSON object of at most 1 MiB.' }));
    }
    sendJson(res, 200, await handlers[op as Operation](request));
  };

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://bridge.invalid');
    if (pathname === '/api/events') return events.connect(req, res);
    const apiMatch = /^\/api\/([^/]+)$/.exec(pathname);
    const work = apiMatch ? handleApi(req, res, apiMatch[1] ?? '') : serveStatic(rendererDir, req, res, pathname);
    work.catch((e: unknown) => {
      core.log.error('bridge request failed', { error: String(e instanceof Error ? e.stack : e) });
      if (!res.headersSent) sendJson(res, 500, fail({ code: 'internal', message: 'The bridge failed to answer.', hint: 'See the log file in the test home.' }));
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      // Runs still going are cancelled (their compensation runs) before the core goes away.
      await sessions.cancelAll();
      sandboxJobs.cancel();
      await sandboxJobs.idle();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      core.close();
    },
  };
}
