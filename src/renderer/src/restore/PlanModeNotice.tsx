// The plan's headline for the mode: which mode runs and why (the core's own words), each
// replica's downtime window by step, and, side by side, the exact rename SQL of each swap.
import { modeOf, type RestorePlan } from '../../../shared/restorePlan';
import { formatServerRef } from '../../../shared/profiles';
import { downtimeWindows, isSwapStep, MODE_LABEL, renameStatements } from './stepPhases';

export function PlanModeNotice({ plan }: { plan: RestorePlan }) {
  const mode = modeOf(plan);
  const stepTitle = (seq: number | null) => (seq === null ? 'the end of the run' : `step ${seq}`);
  return (
    <section className="plan-mode" aria-label="Mode and downtime">
      <p className="plan-mode-head">
        <span className={`pill ${mode === 'side-by-side' ? 'pill-ok' : 'pill-warn'}`}>{MODE_LABEL[mode]}</span>
        <span className="plan-mode-title">Mode: {MODE_LABEL[mode]}</span>
      </p>
      {plan.modeReason ? <p className="plan-mode-reason">{plan.modeReason}</p> : null}
      <ul className="plan-downtime" aria-label="Downtime windows">
        {downtimeWindows(plan.steps).map((w) => {
          const swap = plan.steps.find((s) => isSwapStep(s) && s.replica === w.replica);
          const renames = swap ? renameStatements(swap) : [];
          return (
            <li key={w.replica} className="plan-downtime-window">
              <p>
                <span className="mono">{formatServerRef({ installation: plan.installation.name, server: w.replica })}</span> is down from {stepTitle(w.fromSeq)} (its stop) to{' '}
                {stepTitle(w.toSeq)} (running again){swap ? `; the swap${swap.id === 'swap-back' ? ' back' : ''} is step ${swap.seq}` : ''}. These steps are marked below.
              </p>
              {renames.length > 0 ? (
                <pre className="plan-action-text" aria-label={`Rename SQL for ${w.replica}`}>
                  {renames.map((sql) => (
                    <code key={sql} className="plan-action-line">
                      {sql}
                    </code>
                  ))}
                </pre>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
