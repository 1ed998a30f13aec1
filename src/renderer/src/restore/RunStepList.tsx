import { MASTER_PHASE, type StepId } from '../../../shared/restorePlan';
import { formatDuration } from './formatMeasure';
import type { LiveStep } from './runState';
import { StatusPill } from './StatusPill';

interface RunStepListProps {
  steps: LiveStep[];
  installation: string;
  now: number;
}

function elapsed(step: LiveStep, now: number): string {
  // A step put back to pending (by compensation) keeps its old start; it has no time of its own now.
  if (step.startedAt === null || step.status === 'pending') return '';
  return formatDuration((step.finishedAt ?? (step.status === 'running' ? now : step.startedAt)) - step.startedAt);
}

/** The master phase first, then each replica's own steps (which run side by side). */
function groups(steps: LiveStep[], installation: string): Array<{ title: string; replica: boolean; steps: LiveStep[] }> {
  const master = steps.filter((s) => MASTER_PHASE.includes(s.id as StepId));
  const replicas = [...new Set(steps.filter((s) => !master.includes(s)).map((s) => s.replica))];
  return [
    { title: 'Before the backup', replica: false, steps: master },
    ...replicas.map((r) => ({ title: r ? `${installation}/${r}` : 'Master', replica: r !== null, steps: steps.filter((s) => !master.includes(s) && s.replica === r) })),
  ].filter((g) => g.steps.length > 0);
}

export function RunStepList({ steps, installation, now }: RunStepListProps) {
  return (
    <div className="run-steps" role="group" aria-label="Steps">
      {groups(steps, installation).map((group) => (
        <section key={group.title} className="run-step-group" aria-label={group.title}>
          <h4 className={group.replica ? 'run-step-group-replica' : undefined}>{group.title}</h4>
          <ol>
            {steps
              .filter((s) => group.steps.includes(s))
              .map((step) => (
                <li key={step.seq} className={`run-step run-step-${step.status}`} aria-label={`Step ${step.seq}: ${step.title}`}>
                  <StatusPill status={step.status} />
                  <div className="run-step-body">
                    <p className="run-step-title">{step.title}</p>
                    {step.message ? <p className="run-step-message">{step.message}</p> : null}
                  </div>
                  <span className="run-step-elapsed mono">{elapsed(step, now)}</span>
                </li>
              ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
