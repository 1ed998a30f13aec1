import type { PlannedAction, PlannedStep } from '../../../shared/restorePlan';
import { actionRuns } from './actionRuns';

const KIND_LABEL: Record<PlannedAction['kind'], string> = { sql: 'SQL', command: 'Command', tool: 'Tool', copy: 'Copy', confirm: 'You do' };

/** One step of the plan with exactly what it will execute, and where; `downFor`: the replicas down while it runs. */
export function PlannedStepCard({ step, installation, downFor = [] }: { step: PlannedStep; installation: string; downFor?: string[] }) {
  return (
    <li className={`plan-step${step.destructive ? ' plan-step-destructive' : ''}${downFor.length > 0 ? ' plan-step-down' : ''}`} aria-label={`Step ${step.seq}: ${step.title}`}>
      <div className="plan-step-head">
        <span className="plan-step-seq" aria-hidden="true">
          {step.seq}
        </span>
        <h4>{step.title}</h4>
        <span className="plan-step-flags">
          {downFor.length > 0 ? (
            <span className="pill pill-warn" title={`${downFor.join(', ')} down during this step`}>
              {downFor.length === 1 && downFor[0] === step.replica ? 'replica down' : `down: ${downFor.join(', ')}`}
            </span>
          ) : null}
          {step.destructive ? <span className="pill pill-error">destructive</span> : null}
          {step.manual ? <span className="pill pill-warn">manual</span> : null}
          <span className="plan-step-target mono">{step.replica ? `${installation}/${step.replica}` : 'master'}</span>
        </span>
      </div>
      <ul className="plan-actions">
        {actionRuns(step.actions).map((run, i) => (
          <li key={i} className={`plan-action plan-action-${run.kind}`}>
            <p className="plan-action-meta">
              <span className="plan-action-kind">{KIND_LABEL[run.kind]}</span>
              <span className="mono">{run.where}</span>
            </p>
            <pre className="plan-action-text">
              {run.texts.map((text, j) => (
                <code key={j} className="plan-action-line">
                  {text}
                </code>
              ))}
            </pre>
          </li>
        ))}
      </ul>
    </li>
  );
}
