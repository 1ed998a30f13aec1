// Ctrl-C (and SIGTERM) during a long command: the first one aborts the work's signal, so it
// cancels cleanly (children killed, what was made recorded); a second one exits at once.
import type { Output } from './output';

export async function cancellableByCtrlC<T>(out: Output, cancelling: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      out.stderr(`\n${cancelling} (Ctrl-C again to exit at once)…\n`);
      controller.abort(new Error('cancelled by Ctrl-C'));
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
