import { WIZARD_STAGES, type WizardStage } from './wizardStages';

/** Where the admin is in the restore, and what comes next. */
export function WizardStageList({ current }: { current: WizardStage }) {
  const at = WIZARD_STAGES.findIndex((s) => s.id === current);
  return (
    <ol className="wizard-stages" aria-label="Restore stages">
      {WIZARD_STAGES.map((stage, i) => (
        <li key={stage.id} className={`wizard-stage${i < at ? ' wizard-stage-done' : ''}`} aria-current={i === at ? 'step' : undefined}>
          <span className="wizard-stage-number" aria-hidden="true">
            {i < at ? '✓' : i + 1}
          </span>
          {stage.label}
        </li>
      ))}
    </ol>
  );
}
