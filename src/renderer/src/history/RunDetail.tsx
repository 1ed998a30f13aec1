import { useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { routeHash } from '../shell/route';
import { downloadRunReport } from './runReportDownload';
import { RunCapturedValues } from './RunCapturedValues';
import { RunCompensation } from './RunCompensation';
import { RunDetailHeader } from './RunDetailHeader';
import { RunDowntime } from './RunDowntime';
import { RunDumpPanel } from './RunDumpPanel';
import { RunKeptSchemas } from './RunKeptSchemas';
import { RunLog } from './RunLog';
import { RunSection as Section } from './RunSection';
import { RunSteps } from './RunSteps';
import { RunTimeline } from './RunTimeline';
import { RunVerification } from './RunVerification';
import { useRunDetail } from './useRunDetail';

/** One run on its own page: what happened when, what it captured and verified, and its log. */
export function RunDetail({ runId }: { runId: string }) {
  const { run, loadedAt, error, reload } = useRunDetail(runId);
  const [exporting, setExporting] = useState<'markdown' | 'json' | null>(null);
  const [exportError, setExportError] = useState<ErrorPayload | null>(null);

  const exportReport = async (format: 'markdown' | 'json') => {
    setExporting(format);
    setExportError(null);
    const result = await api.exportRunReport({ runId, format });
    setExporting(null);
    if (result.ok) downloadRunReport(result.value);
    else setExportError(result.error);
  };

  if (run === null) {
    return (
      <div className="run-detail">
        <p className="eyebrow">
          <a href={routeHash({ view: 'history' })} className="back-link">
            ← History
          </a>
        </p>
        {error ? <ErrorNotice title={`Could not show run ${runId}`} error={error} /> : <p className="loading muted">Loading run {runId}…</p>}
      </div>
    );
  }

  return (
    <div className="run-detail">
      <RunDetailHeader run={run} exporting={exporting} onExport={(format) => void exportReport(format)} />
      {exportError ? <ErrorNotice title="Could not export the report" error={exportError} /> : null}
      {error ? <ErrorNotice title="Could not refresh the run" error={error} /> : null}
      {run.message ? (
        <div className={`notice ${run.status === 'succeeded' ? 'notice-success' : 'notice-error'}`} role="note">
          <p className="notice-message">{run.message}</p>
          {run.resumable ? <p className="notice-hint">Fix the cause, then resume: the run continues from the step that stopped.</p> : null}
        </div>
      ) : null}
      <Section title="Timeline">
        <RunTimeline run={run} now={loadedAt} />
      </Section>
      <Section title="Downtime">
        <RunDowntime run={run} />
      </Section>
      <Section title="Kept schemas">
        <RunKeptSchemas run={run} onChanged={() => void reload()} />
      </Section>
      <Section title="Captured values">
        <RunCapturedValues run={run} />
      </Section>
      <Section title="Dump">
        <RunDumpPanel run={run} onChanged={() => void reload()} />
      </Section>
      <Section title="Verification">
        <RunVerification run={run} />
      </Section>
      <Section title="Steps">
        <RunSteps steps={run.steps} interrupted={run.interrupted} />
      </Section>
      <Section title="Compensation">
        <RunCompensation entries={run.compensation} />
      </Section>
      <Section title="Log">
        <RunLog rows={run.log ?? []} />
      </Section>
    </div>
  );
}
