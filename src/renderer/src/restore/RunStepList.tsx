import type { RestoreMode, RunKind } from '../../../shared/restorePlan';
import { formatDuration } from './formatMeasure';
import type { LiveStep } from './runState';
import { StatusPill } from './StatusPill';
import { downtimeWindows, groupStepsByPhase, replicasDownDuring } from './stepPhases';

interface RunStepListProps {
  steps: LiveStep[];
  /** Decides which steps are in the master phase (side by side, a replica's stop is its own). */
  mode: RestoreMode;
  /** A rollback stops each replica within its own steps too. */
  kind: RunKind;
  installation: string;
  now: number;
}

function elapsed(step: LiveStep, now: number): string {
  // A step put back to pending (by compensation) keeps its old start; it has no time of its own now.
  if (step.startedAt === null || step.status === 'pending') return '';
  return formatDuration((step.finishedAt ?? (step.status === 'running' ? now : step.startedAt)) - step.startedAt);
}

/** The master phase first, then each replica's own steps (which run side by side); the replicas' downtime marked. */
export function RunStepList({ steps, mode, kind, installation, now }: RunStepListProps) {
  const windows = downtimeWindows(steps);
  return (
    <div className="run-steps" role="group" aria-label="Steps">
      {groupStepsByPhase({ mode, kind }, steps, (r) => (r ? `${installation}/${r}` : 'Master')).map((group) => (
        <section key={group.key} className="run-step-group" aria-label={group.title}>
          <h4 className={group.replica ? 'run-step-group-replica' : undefined}>{group.title}</h4>
          <ol>
            {group.steps.map((step) => {
              const down = replicasDownDuring(windows, step).length > 0;
              return (
                <li key={step.seq} className={`run-step run-step-${step.status}${down ? ' run-step-down' : ''}`} aria-label={`Step ${step.seq}: ${step.title}`}>
                  <StatusPill status={step.status} />
                  <div className="run-step-body">
                    <p className="run-step-title">{step.title}</p>
                    {step.message ? <p className="run-step-message">{step.message}</p> : null}
                  </div>
                  <span className="run-step-elapsed mono">{elapsed(step, now)}</span>
                </li>
              );
            })}
          </ol>
        </section>
      ))}
    </div>
  );
}
