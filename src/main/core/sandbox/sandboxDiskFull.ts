// A disk that runs full while the sandbox is built (initdb, the generated master, the replicas'
// copies, the stand-ins' files) is the admin's to fix, not a bug: PostgreSQL's "could not
// extend file … No space left on device" (SQLSTATE 53100) or Node's ENOSPC become one typed
// error naming where the sandbox lives and what to do. What was made stays recorded for `down`.
import { ReplicaDeskError } from '../errors';

export class SandboxDiskFullError extends ReplicaDeskError {
  constructor(dir: string, detail: string, cause?: unknown) {
    super(
      'disk-full',
      `The disk ran full while the sandbox was built in ${dir}: ${detail}`,
      `Free space there (the clusters may live elsewhere when the server's user cannot enter ${dir}: \`replica-desk sandbox status\` lists their data directories), or build a smaller sandbox (\`sandbox up --size MB\`) or in another place (\`--dir DIR\`). \`replica-desk sandbox down\` removes what was made so far.`,
      { cause },
    );
  }
}

const DISK_FULL = /No space left on device|could not extend file|\b53100\b|\bENOSPC\b/i;

/** `error` as a SandboxDiskFullError when it says the disk is full; otherwise `error` itself. */
export function diskFullOr(error: unknown, dir: string): unknown {
  if (error instanceof SandboxDiskFullError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const text = `${typeof e?.message === 'string' ? e.message : String(error)}`;
  if (e?.code === 'ENOSPC' || e?.code === '53100' || DISK_FULL.test(text)) return new SandboxDiskFullError(dir, text, error);
  return error;
}
