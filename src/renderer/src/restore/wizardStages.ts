export const WIZARD_STAGES = [
  { id: 'choose', label: 'Replicas' },
  { id: 'preflight', label: 'Preflight' },
  { id: 'plan', label: 'Plan' },
  { id: 'confirm', label: 'Confirm' },
  { id: 'run', label: 'Restore' },
  { id: 'summary', label: 'Summary' },
] as const;

export type WizardStage = (typeof WIZARD_STAGES)[number]['id'];
