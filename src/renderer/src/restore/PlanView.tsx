import type { RestorePlan } from '../../../shared/restorePlan';
import { formatServerRef } from '../../../shared/profiles';
import { PlannedStepCard } from './PlannedStepCard';

interface PlanViewProps {
  plan: RestorePlan;
  onExport(): void;
}

/** Stage 3: the whole procedure, step by step, before anything runs. */
export function PlanView({ plan, onExport }: PlanViewProps) {
  const name = plan.installation.name;
  const destructive = plan.steps.filter((s) => s.destructive).length;
  const manual = plan.steps.filter((s) => s.manual).length;
  return (
    <section className="card wizard-panel" aria-label="Plan">
      <div className="plan-head">
        <div>
          <h3 className="card-title">The plan: {plan.steps.length} steps</h3>
          <p className="muted">
            Restores {plan.replicas.map((r) => formatServerRef({ installation: name, server: r })).join(', ')} from{' '}
            {plan.backup.mode === 'dump' ? `a new backup of ${formatServerRef({ installation: name, server: plan.master })}` : `the backup ${plan.backup.file}`}.{' '}
            {destructive} destructive, {manual} manual. Secrets are masked.
          </p>
        </div>
        <button type="button" className="button" onClick={onExport}>
          Export plan as Markdown
        </button>
      </div>
      <ol className="plan-steps">
        {plan.steps.map((step) => (
          <PlannedStepCard key={step.seq} step={step} installation={name} />
        ))}
      </ol>
    </section>
  );
}
