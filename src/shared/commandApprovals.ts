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
