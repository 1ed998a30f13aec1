import type { RunRecord } from '../../../shared/runRecord';
import { EncryptionFact } from '../components/EncryptionFact';
import { formatByteSize } from '../../../shared/byteSize';
import { readChangelog, runBackup } from './capturedValues';
import { formatDuration } from './timeFormat';

/**
 * What the run captured: the backup it restored from, the changelog position each replica
 * was set to, and whether each database connection was encrypted.
 */
export function RunCapturedValues({ run }: { run: RunRecord }) {
  const backup = runBackup(run);
  const head = readChangelog(run.changelog);
  const replicaHeads = run.replicas.map((r) => ({ replica: r.replica, head: readChangelog(r.changelog) }));
  const stepsWithValues = run.steps.filter((s) => Object.keys(s.captured).length > 0);
  const connections = Object.entries(run.connections ?? {});

  return (
    <div className="captured">
      <dl className="facts">
        <div className="facts-wide">
          <dt>Backup file</dt>
          <dd className="mono">{backup?.file ?? 'none recorded'}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>
            {backup?.bytes != null ? (
              <span title={`${backup.bytes.toLocaleString('en-US')} bytes`}>{formatByteSize(backup.bytes)}</span>
            ) : (
              '—'
            )}
            {backup?.reused ? <span className="muted"> · an existing backup</span> : null}
            {backup?.elapsedMs != null ? <span className="muted"> · dumped in {formatDuration(backup.elapsedMs)}</span> : null}
          </dd>
        </div>
        <div className="facts-wide">
          <dt>SHA-256</dt>
          <dd className="mono">{backup?.sha256 ?? '—'}</dd>
        </div>
        <div>
          <dt>Changelog head (sequenceno)</dt>
          <dd className="mono">{head?.sequenceNo ?? '—'}</dd>
        </div>
        <div>
          <dt>idtag</dt>
          <dd className="mono">{head?.idTag ?? '—'}</dd>
        </div>
      </dl>
      {replicaHeads.length > 0 ? (
        <table className="data-table" aria-label="Replicator position per replica">
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">replicator sequenceno</th>
              <th scope="col">idtag</th>
            </tr>
          </thead>
          <tbody>
            {replicaHeads.map(({ replica, head: h }) => (
              <tr key={replica}>
                <td>{replica}</td>
                <td className="mono">{h?.sequenceNo ?? '— (not set)'}</td>
                <td className="mono">{h?.idTag ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {connections.length > 0 ? (
        <table className="data-table" aria-label="Database connections">
          <thead>
            <tr>
              <th scope="col">Database of</th>
              <th scope="col">Connection</th>
            </tr>
          </thead>
          <tbody>
            {connections.map(([server, encryption]) => (
              <tr key={server}>
                <td>{server}</td>
                <td>
                  <EncryptionFact encryption={encryption} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {stepsWithValues.length > 0 ? (
        <details className="captured-all">
          <summary>Everything the steps captured</summary>
          {stepsWithValues.map((s) => (
            <div key={s.seq} className="captured-step">
              <p className="captured-step-title">
                {s.seq}. {s.title}
              </p>
              <pre className="command">
                <code>{JSON.stringify(s.captured, null, 2)}</code>
              </pre>
            </div>
          ))}
        </details>
      ) : null}
    </div>
  );
}
