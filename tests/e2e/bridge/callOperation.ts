// Calls an operation on the HTTP bridge directly, as a test's setup does (not as the admin):
// the answer's value, or an error naming the operation and what the core said.
import type { Bridge } from './bridgeServer';

export async function callOperation<T>(bridge: Bridge, op: string, request: unknown): Promise<T> {
  const response = await fetch(new URL(`api/${op}`, bridge.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
  const result = (await response.json()) as { ok: true; value: T } | { ok: false; error: unknown };
  if (!result.ok) throw new Error(`${op} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}
