// The renderer's only way to main. In Electron the preload puts one function per
// operation on window.api; in a browser (end-to-end tests, preview) the same operations
// go over HTTP to a bridge that drives the real core. Either way every call answers with
// a Result and never throws, so components handle failure as a value.
// Only types come from shared/api (its request schemas are main's, and would bring zod into
// the renderer's first chunk); the operation names come from the dependency-free list.
import type { Operation, ReplicaDeskApi, Request, Responses } from '../../shared/api';
import { operations } from '../../shared/operations';
import type { RestoreEvent, RestoreEventListener } from '../../shared/restoreEvents';
import { isSandboxEvent, SANDBOX_SSE_EVENT, type SandboxEventListener } from '../../shared/sandboxEvents';
import { fail, type Result } from '../../shared/result';

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; value?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && typeof v.error === 'object' && v.error !== null;
}

async function postOperation<Op extends Operation>(op: Op, request: Request<Op>): Promise<Result<Responses[Op]>> {
  let response: Response;
  try {
    response = await fetch(`/api/${op}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request ?? {}),
    });
  } catch (e) {
    return fail({
      code: 'bridge-unreachable',
      message: `Replica Desk's backend did not answer (${e instanceof Error ? e.message : String(e)}).`,
      hint: 'Check that the app (or the preview bridge) is still running, then try again.',
    });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (isResult(body)) return body as Result<Responses[Op]>;
  return fail({
    code: 'bridge-bad-answer',
    message: `Replica Desk's backend answered ${op} with HTTP ${response.status} and no result.`,
    hint: 'This is a bug in Replica Desk or its preview bridge; the log file may have details.',
  });
}

function httpApi(): ReplicaDeskApi {
  return Object.fromEntries(
    operations.map((op) => [op, (request: Request<typeof op>) => postOperation(op, request)]),
  ) as ReplicaDeskApi;
}

export const api: ReplicaDeskApi = window.api ?? httpApi();

// In a browser the bridge streams restore events (the stream's default messages) and sandbox
// events (named `sandbox`) as Server-Sent Events (connect-src 'self' allows it). One stream
// serves every listener, opened on the first subscription and closed with the last, so a
// component can subscribe and unsubscribe freely.
const restoreListeners = new Set<RestoreEventListener>();
const sandboxListeners = new Set<SandboxEventListener>();
let browserEvents: EventSource | null = null;

function isRestoreEvent(value: unknown): value is RestoreEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && typeof (value as { runId?: unknown }).runId === 'string';
}

/** Hands each parsed event that `accepts` to the listeners of the moment. */
function deliver<E>(listeners: ReadonlySet<(event: E) => void>, accepts: (value: unknown) => value is E) {
  return (message: MessageEvent<string>) => {
    let event: unknown;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (accepts(event)) for (const each of [...listeners]) each(event);
  };
}

function subscribeOverHttp<E>(listeners: Set<(event: E) => void>, listener: (event: E) => void): () => void {
  listeners.add(listener);
  if (!browserEvents) {
    browserEvents = new EventSource('/api/events');
    browserEvents.onmessage = deliver(restoreListeners, isRestoreEvent);
    browserEvents.addEventListener(SANDBOX_SSE_EVENT, deliver(sandboxListeners, isSandboxEvent));
  }
  return () => {
    listeners.delete(listener);
    if (restoreListeners.size === 0 && sandboxListeners.size === 0 && browserEvents) {
      browserEvents.close();
      browserEvents = null;
    }
  };
}

/** Restore events (progress, logs, questions for manual steps); returns the unsubscribe function. */
export function onRestoreEvent(listener: RestoreEventListener): () => void {
  return window.api ? window.api.onRestoreEvent(listener) : subscribeOverHttp(restoreListeners, listener);
}

/** The sandbox job's progress and end; returns the unsubscribe function. */
export function onSandboxEvent(listener: SandboxEventListener): () => void {
  return window.api ? window.api.onSandboxEvent(listener) : subscribeOverHttp(sandboxListeners, listener);
}
