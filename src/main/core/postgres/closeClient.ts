// Ending a pg client politely sends Terminate and waits for the server to close the socket.
// Behind a frozen network that wait never ends, so a run that is finishing (or failing
// because the network froze) would hang on its own clean-up. This gives the polite way a
// short while and then drops the socket.
import type pg from 'pg';

const CLOSE_GRACE_MS = 2_000;

export async function closeClient(client: pg.Client, graceMs = CLOSE_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const polite = client.end().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const closed = await Promise.race([polite, late]);
  clearTimeout(timer);
  if (!closed) {
    // pg keeps its socket on the connection; destroying it ends the client at once.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}
