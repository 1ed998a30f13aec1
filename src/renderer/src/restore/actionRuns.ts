import type { PlannedAction } from '../../../shared/restorePlan';

export interface ActionRun {
  kind: PlannedAction['kind'];
  where: string;
  texts: string[];
}

/** Consecutive actions of one kind in one place read as one script (e.g. the fix-ups' SQL). */
export function actionRuns(actions: PlannedAction[]): ActionRun[] {
  const runs: ActionRun[] = [];
  for (const action of actions) {
    const last = runs.at(-1);
    if (last && last.kind === action.kind && last.where === action.where) last.texts.push(action.text);
    else runs.push({ kind: action.kind, where: action.where, texts: [action.text] });
  }
  return runs;
}
