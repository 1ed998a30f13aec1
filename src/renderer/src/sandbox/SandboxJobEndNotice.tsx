import { ErrorNotice } from '../components/ErrorNotice';
import type { SandboxJobEnd } from './useSandbox';

const FAILED = { up: 'The sandbox could not be built', down: 'The sandbox could not be removed' } as const;

/** How a sandbox job ended when it did not succeed: a cancel the admin asked for is a plain status, a failure an error with its hint. */
export function SandboxJobEndNotice({ ended }: { ended: SandboxJobEnd }) {
  if (ended.outcome === 'failed') return <ErrorNotice title={FAILED[ended.action]} error={ended.error} />;
  return (
    <div className="notice notice-warning" role="status">
      <p className="notice-title">{ended.error.message}</p>
      <p className="notice-hint">{ended.error.hint}</p>
    </div>
  );
}
