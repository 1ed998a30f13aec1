// Control commands (control.stop/start/status) and whether the admin approved them, as the
// CLI, the import result and the renderer see them. A command runs only once its exact text
// was approved for that server and the host it runs on. No Node and no DOM here.

export const CONTROL_KINDS = ['stop', 'start', 'status'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export interface ControlCommand {
  /** `installation/server` */
  ref: string;
  kind: ControlKind;
  /** The full command text, exactly as it would run. */
  command: string;
  /** Where it runs: `local` or `ssh user@host:port`. */
  runsOn: string;
  approved: boolean;
}

/** A command of an imported installation: new, changed, or unchanged (and still unapproved). */
export interface ImportedCommand extends ControlCommand {
  change: 'new' | 'changed' | 'unchanged';
}

/**
 * The command as text that shows everything it holds: control characters (an escape sequence
 * could hide part of a line on a terminal), bidirectional overrides and other invisible format
 * characters become `\u{…}` escapes; line breaks and tabs stay.
 */
export function visibleCommandText(command: string): string {
  // eslint-disable-next-line no-control-regex
  return command.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
