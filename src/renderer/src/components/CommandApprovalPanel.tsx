import { useCallback, useEffect, useState } from 'react';
import type { CommandApprovalResult } from '../../../shared/api';
import type { ControlCommand } from '../../../shared/commandApprovals';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ControlCommandList } from './ControlCommandList';
import { ErrorNotice } from './ErrorNotice';

interface CommandApprovalPanelProps {
  /** An installation, or `installation/server`. */
  target: string;
  /** Called after commands were approved (e.g. to probe again). */
  onApproved?(): void;
}

/**
 * A server's control commands with their approval state, and "Review and approve…". The
 * approval itself is asked in the main process (a native dialog showing every command in
 * full): this view can only request it, never grant it.
 */
export function CommandApprovalPanel({ target, onApproved }: CommandApprovalPanelProps) {
  const [commands, setCommands] = useState<ControlCommand[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandApprovalResult | null>(null);

  const load = useCallback(async () => {
    const result = await api.listCommands({ ref: target });
    if (result.ok) setCommands(result.value);
    else setError(result.error);
  }, [target]);

  useEffect(() => {
    let current = true;
    void api.listCommands({ ref: target }).then((result) => {
      if (!current) return;
      if (result.ok) setCommands(result.value);
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [target]);

  const review = async () => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    const result = await api.approveCommands({ ref: target });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      await load();
      return;
    }
    setOutcome(result.value);
    setCommands(result.value.commands);
    if (result.value.approved.length > 0) onApproved?.();
  };

  if (commands === null) return error ? <ErrorNotice title="Could not read the control commands" error={error} /> : null;
  if (commands.length === 0) return <p className="muted">No control commands: stopping and starting are manual.</p>;
  const pending = commands.filter((c) => !c.approved).length;
  return (
    <div className="command-approvals">
      <ControlCommandList commands={commands} label={`Control commands of ${target}`} />
      {pending > 0 ? (
        <p className="status status-warn">
          {pending === 1 ? 'One command is' : `${pending} commands are`} not approved and will not run until approved.
        </p>
      ) : null}
      <div aria-live="polite">
        {outcome && !outcome.confirmed ? <p className="muted">Nothing was approved.</p> : null}
        {outcome && outcome.approved.length > 0 ? (
          <p className="status status-ok">
            Approved {outcome.approved.length} command{outcome.approved.length === 1 ? '' : 's'}.
          </p>
        ) : null}
        {error ? <ErrorNotice title="Nothing was approved" error={error} /> : null}
      </div>
      {pending > 0 ? (
        <div className="actions">
          <button type="button" className="button" onClick={() => void review()} disabled={busy}>
            {busy ? 'Waiting for the confirmation…' : 'Review and approve…'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
