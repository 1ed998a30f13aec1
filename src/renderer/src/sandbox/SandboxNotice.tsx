import { SandboxBadge } from './SandboxBadge';
import './sandbox.css';

interface SandboxNoticeProps {
  /** What happens to the sandbox here, e.g. "This restore runs on the sandbox". */
  what: string;
}

/** A plain statement where a step acts on the sandbox: it is throwaway, local, and no production server is touched. */
export function SandboxNotice({ what }: SandboxNoticeProps) {
  return (
    <p className="notice notice-sandbox" role="note">
      <SandboxBadge /> {what}: a throwaway installation on this workstation that Try the sandbox built. No production server is touched.
    </p>
  );
}
