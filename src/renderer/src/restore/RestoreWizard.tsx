// The restore as the admin walks through it: choose, preflight, read the plan, type each
// replica's name, watch it run (or cancel), and read the summary. A rollback of a side-by-side
// run (opened from the history) walks the same stages from its preflight on. Every stage reaches the
// core only through api.ts; the run itself goes on in the core whether or not this shows.
import { useCallback, useEffect, useState } from 'react';
import type { PreparedRestore } from '../../../shared/api';
import { formatServerRef, type Installation } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import type { RunRecord } from '../../../shared/runRecord';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { planFileName, planMarkdown } from './planMarkdown';
import { PlanView } from './PlanView';
import { PreflightReport } from './PreflightReport';
import { ReplicaChooser } from './ReplicaChooser';
import type { ModeChoice } from './RestoreModeChoice';
import { RunMonitor } from './RunMonitor';
import { liveRunFromPlan, liveRunFromRecord } from './runState';
import { RunSummary } from './RunSummary';
import { saveTextFile } from './saveTextFile';
import { allConfirmed, TypedConfirmation } from './TypedConfirmation';
import { useLiveRun } from './useLiveRun';
import { useThroughputHistory } from './useThroughputHistory';
import { WizardStageList } from './WizardStageList';
import { SandboxBadge } from '../sandbox/SandboxBadge';
import { SandboxNotice } from '../sandbox/SandboxNotice';
import { useIsSandbox } from '../sandbox/SandboxContext';
import type { WizardStage } from './wizardStages';
import './restoreWizard.css';

export interface RestoreWizardProps {
  installations: Installation[];
  initialInstallation?: string;
  initialReplica?: string;
  /** Opens on this run's summary, e.g. to resume an interrupted run. */
  resumeRunId?: string;
  /** Prepares a rollback of this side-by-side run (core's prepareRollback) instead of a restore. */
  rollbackRunId?: string;
  onFinished?(runId: string): void;
}

interface Prepared {
  result: PreparedRestore;
  at: Date;
}

const replicasOf = (installation: Installation | null): string[] => installation?.servers.filter((s) => s.role === 'replica').map((s) => s.name) ?? [];

export function RestoreWizard({ installations, initialInstallation, initialReplica, resumeRunId, rollbackRunId, onFinished }: RestoreWizardProps) {
  const [stage, setStage] = useState<WizardStage>(resumeRunId ? 'summary' : rollbackRunId ? 'preflight' : 'choose');
  const [installationName, setInstallationName] = useState(initialInstallation ?? null);
  // null: the default choice (every replica, or the one the wizard was opened for).
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [mode, setMode] = useState<ModeChoice>(null);
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [record, setRecord] = useState<RunRecord | null>(null);
  // A rollback has nothing to choose: its preflight runs as the wizard opens.
  const [busy, setBusy] = useState(Boolean(rollbackRunId));
  const [error, setError] = useState<ErrorPayload | null>(null);

  const installation = installations.find((i) => i.name === installationName) ?? installations.find((i) => i.name === initialInstallation) ?? installations[0] ?? null;
  const allReplicas = replicasOf(installation);
  const replicas = chosen ?? (initialReplica && allReplicas.includes(initialReplica) ? [initialReplica] : allReplicas);
  const runInstallation = record?.installation ?? prepared?.result.plan.installation.name ?? installation?.name ?? '';
  const onSandbox = useIsSandbox(runInstallation) || record?.sandbox === true;

  const showSummary = useCallback(
    async (runId: string) => {
      const shown = await api.showRun({ runId });
      if (shown.ok) setRecord(shown.value);
      else setError(shown.error);
      setStage('summary');
      onFinished?.(runId);
    },
    [onFinished],
  );
  const live = useLiveRun((runId) => void showSummary(runId));
  const history = useThroughputHistory(runInstallation, live.run?.runId ?? null);

  useEffect(() => {
    if (!resumeRunId) return;
    let current = true;
    void api.showRun({ runId: resumeRunId }).then((shown) => {
      if (!current) return;
      if (shown.ok) setRecord(shown.value);
      else setError(shown.error);
    });
    return () => {
      current = false;
    };
  }, [resumeRunId]);

  useEffect(() => {
    if (!rollbackRunId) return;
    let current = true;
    void api.prepareRollback({ runId: rollbackRunId }).then((result) => {
      if (!current) return;
      setBusy(false);
      if (result.ok) setPrepared({ result: result.value, at: new Date() });
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [rollbackRunId]);

  const runPreflight = async () => {
    setError(null);
    const request = rollbackRunId
      ? api.prepareRollback({ runId: rollbackRunId })
      : installation
        ? api.prepareRestore({ installation: installation.name, replicas, ...(mode ? { mode } : {}) })
        : null;
    if (!request) return;
    setBusy(true);
    const result = await request;
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setPrepared({ result: result.value, at: new Date() });
    setStage('preflight');
  };

  const exportPlan = () => {
    if (!prepared) return;
    const { plan, preflight } = prepared.result;
    saveTextFile(planFileName(plan, prepared.at), 'text/markdown;charset=utf-8', planMarkdown({ plan, preflight, preparedAt: prepared.at }));
  };

  const confirmationNames = prepared ? prepared.result.plan.replicas.map((r) => formatServerRef({ installation: prepared.result.plan.installation.name, server: r })) : [];

  const start = async () => {
    if (!prepared) return;
    setBusy(true);
    setError(null);
    const since = live.mark();
    const result = await api.startRestore({ planId: prepared.result.planId, confirmations: Object.fromEntries(confirmationNames.map((n) => [n, typed[n] ?? ''])) });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    live.follow(liveRunFromPlan(result.value.runId, prepared.result.plan), since);
    setStage('run');
  };

  const resume = async () => {
    if (!record) return;
    setBusy(true);
    setError(null);
    const since = live.mark();
    const [latest, resumed] = await Promise.all([api.showRun({ runId: record.runId }), api.resumeRun({ runId: record.runId })]);
    setBusy(false);
    if (!resumed.ok) return setError(resumed.error);
    live.follow(liveRunFromRecord(latest.ok ? latest.value : record), since);
    setStage('run');
  };

  const newRestore = () => {
    live.stop();
    setRecord(null);
    setPrepared(null);
    setTyped({});
    setError(null);
    setStage('choose');
  };

  const goTo = (next: WizardStage) => {
    setError(null);
    if (next === 'confirm') setTyped({});
    setStage(next);
  };

  const body = () => {
    switch (stage) {
      case 'choose':
        if (installations.length === 0) return <p className="muted">There is no installation yet. Add one (or import profiles) first, then come back to restore its replicas.</p>;
        return (
          <ReplicaChooser
            installations={installations}
            installation={installation}
            chosen={replicas}
            mode={mode}
            busy={busy}
            onInstallation={(name) => {
              setInstallationName(name);
              setChosen(null);
            }}
            onChosen={setChosen}
            onMode={setMode}
            onPreflight={() => void runPreflight()}
          />
        );
      case 'preflight':
        return prepared ? <PreflightReport preflight={prepared.result.preflight} /> : busy ? <p className="muted">Preparing the rollback of run {rollbackRunId}…</p> : null;
      case 'plan':
        return prepared ? <PlanView plan={prepared.result.plan} onExport={exportPlan} /> : null;
      case 'confirm':
        return <TypedConfirmation names={confirmationNames} typed={typed} onTyped={(name, value) => setTyped((t) => ({ ...t, [name]: value }))} />;
      case 'run':
        return live.run ? <RunMonitor run={live.run} installation={runInstallation} history={history} onQuestionAnswered={live.clearQuestion} /> : null;
      case 'summary':
        return record ? (
          <RunSummary record={record} resuming={busy} error={error} onResume={() => void resume()} onNewRestore={newRestore} />
        ) : error ? null : (
          <p className="muted">Loading the run…</p>
        );
    }
  };

  const navigation = () => {
    switch (stage) {
      case 'preflight':
        return (
          <>
            {rollbackRunId ? null : (
              <button type="button" className="button" onClick={() => goTo('choose')}>
                Back
              </button>
            )}
            <button type="button" className="button" disabled={busy} onClick={() => void runPreflight()}>
              {busy ? 'Running preflight…' : 'Run preflight again'}
            </button>
            <button type="button" className="button button-primary" disabled={!prepared?.result.preflight.ok} onClick={() => goTo('plan')}>
              Review the plan
            </button>
          </>
        );
      case 'plan':
        return (
          <>
            <button type="button" className="button" onClick={() => goTo('preflight')}>
              Back
            </button>
            <button type="button" className="button button-primary" onClick={() => goTo('confirm')}>
              Continue to confirmation
            </button>
          </>
        );
      case 'confirm':
        return (
          <>
            <button type="button" className="button" onClick={() => goTo('plan')}>
              Back
            </button>
            <button type="button" className="button button-danger-solid" disabled={busy || !allConfirmed(confirmationNames, typed)} onClick={() => void start()}>
              {busy ? 'Starting…' : 'Start restore'}
            </button>
          </>
        );
      default:
        return null;
    }
  };

  const nav = navigation();
  return (
    <div className="restore-wizard">
      <header className="page-header">
        <div>
          <p className="eyebrow">Restore</p>
          <h2>
            {rollbackRunId ? `Roll back run ${rollbackRunId}` : runInstallation ? `Restore replicas of ${runInstallation}` : 'Restore replicas'}
            {onSandbox ? <SandboxBadge /> : null}
          </h2>
          <p className="page-description">Replication Live Servers are rebuilt from a backup of their Master Live Server, step by step, on the record.</p>
        </div>
      </header>
      <WizardStageList current={stage} />
      {error && stage !== 'summary' ? <ErrorNotice title="Replica Desk could not do that" error={error} /> : null}
      {error && stage === 'summary' && !record ? <ErrorNotice title="Could not load the run" error={error} /> : null}
      {onSandbox && (stage === 'plan' || stage === 'confirm') ? <SandboxNotice what={`This ${rollbackRunId ? 'rollback' : 'restore'} runs on the sandbox`} /> : null}
      {body()}
      {nav ? <div className="actions wizard-nav">{nav}</div> : null}
    </div>
  );
}
