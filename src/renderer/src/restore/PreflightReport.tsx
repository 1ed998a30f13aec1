import type { PreflightFinding } from '../../../shared/restorePlan';

interface PreflightReportProps {
  preflight: { ok: boolean; findings: PreflightFinding[] };
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;
const outcome = (f: PreflightFinding) => (f.ok ? 'ok' : f.severity);
const LABEL = { ok: 'OK', error: 'Blocks', warning: 'Warning', info: 'Note' } as const;

/** Stage 2: every check the core ran before anything changes, problems first, each with its hint. */
export function PreflightReport({ preflight }: PreflightReportProps) {
  const problems = preflight.findings.filter((f) => !f.ok);
  const errors = problems.filter((f) => f.severity === 'error').length;
  const sorted = [...preflight.findings].sort((a, b) => Number(a.ok) - Number(b.ok) || ORDER[a.severity] - ORDER[b.severity]);
  return (
    <section className="card wizard-panel" aria-label="Preflight">
      {preflight.ok ? (
        <div className="notice notice-success" role="status">
          <p className="notice-title">Preflight passed</p>
          <p>
            {preflight.findings.length} checks ran{problems.length ? `; ${problems.length} need your attention but do not block the restore` : ''}.
          </p>
        </div>
      ) : (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">Preflight failed</p>
          <p>
            {errors} {errors === 1 ? 'problem blocks' : 'problems block'} the restore. Fix {errors === 1 ? 'it' : 'them'} as the hints say, then run the preflight
            again.
          </p>
        </div>
      )}
      <ul className="findings">
        {sorted.map((f, i) => (
          <li key={`${f.check}:${f.server ?? ''}:${i}`} className={`finding finding-${outcome(f)}`}>
            <span className={`pill pill-${f.ok ? 'ok' : f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'muted'}`}>{LABEL[outcome(f)]}</span>
            <div className="finding-body">
              <p>{f.message}</p>
              {f.hint && !f.ok ? <p className="finding-hint">{f.hint}</p> : null}
              <p className="finding-meta mono">
                {f.check}
                {f.server ? ` · ${f.server}` : ''}
              </p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
