import { kindOf, type RestorePlan } from '../../../shared/restorePlan';
import { formatServerRef } from '../../../shared/profiles';
import { RouteLine } from '../components/route/RouteLine';
import { PlanModeNotice } from './PlanModeNotice';
import { PlannedStepCard } from './PlannedStepCard';
import { downtimeWindows, groupStepsByPhase, replicasDownDuring } from './stepPhases';

interface PlanViewProps {
  plan: RestorePlan;
  onExport(): void;
}

/** Stage 3: the whole procedure, step by step, before anything runs: its mode, phases and each replica's downtime. */
export function PlanView({ plan, onExport }: PlanViewProps) {
  const name = plan.installation.name;
  const destructive = plan.steps.filter((s) => s.destructive).length;
  const manual = plan.steps.filter((s) => s.manual).length;
  const windows = downtimeWindows(plan.steps);
  const replicas = plan.replicas.map((r) => formatServerRef({ installation: name, server: r })).join(', ');
  const source = plan.backup.mode === 'dump' ? `a new backup of ${formatServerRef({ installation: name, server: plan.master })}` : `the backup ${plan.backup.file}`;
  const routeOf = (server: string) => plan.routes?.[formatServerRef({ installation: name, server })];
  const routed = Object.entries(plan.routes ?? {});
  const summary = kindOf(plan) === 'rollback' ? `Rolls back run ${plan.rollbackOf ?? ''} on ${replicas}: each gets its previous schema back.` : `Restores ${replicas} from ${source}.`;
  return (
    <section className="card wizard-panel" aria-label="Plan">
      <div className="plan-head">
        <div>
          <h3 className="card-title">The plan: {plan.steps.length} steps</h3>
          <p className="muted">
            {summary} {destructive} destructive, {manual} manual. Secrets are masked.
          </p>
        </div>
        <button type="button" className="button" onClick={onExport}>
          Export plan as Markdown
        </button>
      </div>
      <PlanModeNotice plan={plan} />
      {routed.length > 0 ? (
        <ul className="plan-routes" aria-label="Database routes">
          {routed.map(([ref, route]) => (
            <li key={ref}>
              <code>{ref}</code> <RouteLine route={route} />
            </li>
          ))}
        </ul>
      ) : null}
      {groupStepsByPhase(plan, plan.steps, (r) => (r ? formatServerRef({ installation: name, server: r }) : 'Master')).map((group) => {
        const route = routeOf(group.replica ?? plan.master);
        return (
          <section key={group.key} className="plan-phase" aria-label={group.title}>
            <h4 className={`plan-phase-title${group.replica ? ' mono' : ''}`}>{group.title}</h4>
            {route ? (
              <p className="plan-phase-route">
                {group.replica ? 'Its database' : "The master's database"} <RouteLine route={route} />
              </p>
            ) : null}
            <ol className="plan-steps">
              {group.steps.map((step) => (
                <PlannedStepCard key={step.seq} step={step} installation={name} downFor={replicasDownDuring(windows, step)} />
              ))}
            </ol>
          </section>
        );
      })}
    </section>
  );
}
