// Restore events leave the core for the window (and the CLI's stderr) masked exactly as the
// run record is stored: every text field through maskSecrets, the same function the run
// store applies to messages, captured values and the log. Every event goes out through
// maskRestoreEvent, so a new text field cannot slip past: the switch must name each type.
import type { RestoreEvent } from '../../../shared/restoreEvents';
import { maskSecrets } from '../secrets/secret';

const maybe = (text: string | null): string | null => (text === null ? null : maskSecrets(text));

export function maskRestoreEvent(event: RestoreEvent): RestoreEvent {
  switch (event.type) {
    case 'run':
      return { ...event, message: maybe(event.message) };
    case 'step':
      return { ...event, title: maskSecrets(event.title), message: maybe(event.message) };
    case 'log':
      return { ...event, message: maskSecrets(event.message) };
    case 'confirm':
      return { ...event, instruction: maskSecrets(event.instruction) };
    case 'progress':
      return event;
  }
}

/** `listener`, fed only masked events. */
export const maskedListener =
  (listener: (event: RestoreEvent) => void) =>
  (event: RestoreEvent): void =>
    listener(maskRestoreEvent(event));
