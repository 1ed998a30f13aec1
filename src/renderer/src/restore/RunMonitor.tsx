import { useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { CancelRunDialog } from './CancelRunDialog';
import { LogTail } from './LogTail';
import { ManualStepPrompt } from './ManualStepPrompt';
import { RunStepList } from './RunStepList';
import type { LiveRun } from './runState';
import { StatusPill } from './StatusPill';
import type { ThroughputHistory } from './throughputHistory';
import { TransferProgress } from './TransferProgress';
import { useNow } from './useNow';

interface RunMonitorProps {
  run: LiveRun;
  installation: string;
  history: ThroughputHistory;
  onQuestionAnswered(): void;
}

/** Stage 5: the run as it happens, with a way out at any time. */
export function RunMonitor({ run, installation, history, onQuestionAnswered }: RunMonitorProps) {
  const [asking, setAsking] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [answering, setAnswering] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const running = run.status === 'running';
  const ticked = useNow(running, 500);
  // Never behind the newest progress sample, so elapsed times agree with the bars.
  const now = Math.max(ticked, ...Object.values(run.progress).map((p) => p.at));

  const cancel = async () => {
    setCancelling(true);
    const result = await api.cancelRun({ runId: run.runId });
    setAsking(false);
    if (!result.ok) {
      setCancelling(false);
      setError(result.error);
    }
  };

  const answer = async (confirmed: boolean) => {
    if (!run.question) return;
    setAnswering(true);
    const result = await api.answerConfirmation({ requestId: run.question.requestId, confirmed });
    setAnswering(false);
    if (result.ok) onQuestionAnswered();
    else setError(result.error);
  };

  const transfers = run.steps.filter((s) => run.progress[s.seq]);
  return (
    <section className="card wizard-panel" aria-label="Restore progress">
      <div className="run-head">
        <div>
          <h3 className="card-title">
            Restoring <StatusPill status={cancelling && running ? 'cancelling' : run.status} />
          </h3>
          <p className="muted mono">Run {run.runId}</p>
        </div>
        <button type="button" className="button button-danger" disabled={!running || cancelling} onClick={() => setAsking(true)}>
          {cancelling ? 'Cancelling…' : 'Cancel restore'}
        </button>
      </div>
      {error ? <ErrorNotice title="The run did not take that" error={error} /> : null}
      {run.question ? <ManualStepPrompt instruction={run.question.instruction} busy={answering} onAnswer={(c) => void answer(c)} /> : null}
      {transfers.length > 0 ? (
        <div className="transfers">
          {transfers.map((step) => {
            const progress = run.progress[step.seq]!;
            return (
              <TransferProgress
                key={step.seq}
                step={step}
                progress={progress}
                history={progress.phase === 'dump' ? history.dump : history.restore}
                knownBytes={progress.phase === 'restore' ? run.dumpBytes : null}
                now={now}
              />
            );
          })}
        </div>
      ) : null}
      <div className="run-layout">
        <RunStepList steps={run.steps} mode={run.mode} kind={run.kind} installation={installation} now={now} />
        <LogTail lines={run.log} />
      </div>
      {asking ? (
        <CancelRunDialog busy={cancelling} onConfirm={() => void cancel()} onKeepRunning={() => setAsking(false)} />
      ) : null}
    </section>
  );
}
