import type { ServerProbe } from '../../../shared/topology';
import { EncryptionFact } from '../components/EncryptionFact';
import { ErrorNotice } from '../components/ErrorNotice';
import { RouteBreakNotice } from '../components/route/RouteBreakNotice';
import { groupDigits, lagLabel } from './serverStatus';

/** A list of values in which a repeated row is what the admin must notice. */
function Rows({ values }: { values: string[] }) {
  if (values.length === 0) return <span className="status status-warn">no row</span>;
  return (
    <>
      {values.map((v, i) => (
        <code key={`${i}:${v}`} className="topo-row-value">
          {v}
        </code>
      ))}
      {values.length > 1 ? <span className="status status-warn">{values.length} rows</span> : null}
    </>
  );
}

const processWords: Record<ServerProbe['process']['state'], string> = {
  running: 'Running (control.status exited 0)',
  stopped: 'Stopped',
  unknown: 'Unknown: control.status could not be run',
  'not-configured': 'Not checked: the profile has no control.status command',
  'not-approved': 'Not checked: command not approved (control.status was not run)',
};

function MasterFacts({ probe }: { probe: ServerProbe }) {
  const d = probe.database;
  const head = d.changelogHead;
  return (
    <div className="topo-fact-wide">
      <dt>Changelog head</dt>
      <dd>
        {head ? (
          <>
            <code>{head.sequenceNo}</code> <span className="muted">idtag</span> <code>{head.idTag}</code>
            {head.newestIsLocal ? <span className="muted"> · newest non-local {head.lastNonLocal?.sequenceNo ?? 'none'}</span> : null}
          </>
        ) : (
          <span className="muted">{d.replicator ? 'empty' : 'not read'}</span>
        )}
      </dd>
    </div>
  );
}

function ReplicaFacts({ probe }: { probe: ServerProbe }) {
  const replicator = probe.database.replicator;
  const lag = lagLabel(probe);
  return (
    <>
      <div>
        <dt>Lag</dt>
        <dd className={`topo-lag topo-tone-${lag.tone}`}>{lag.kind === 'behind' ? `${lag.text} events behind` : lag.text}</dd>
      </div>
      <div>
        <dt>Position</dt>
        <dd>{probe.position ? <code>{groupDigits(probe.position)}</code> : <span className="muted">unknown</span>}</dd>
      </div>
      {replicator
        ? (['remote', 'local', 'tag'] as const).map((property) => (
            <div key={property}>
              <dt>replicator_{property}</dt>
              <dd>
                <Rows values={replicator[property]} />
              </dd>
            </div>
          ))
        : null}
    </>
  );
}

/** What one probe of one server found: the database, the repository, and the process. */
export function ServerProbeFacts({ probe }: { probe: ServerProbe }) {
  const d = probe.database;
  return (
    <div className="topo-probe-facts">
      {/* A broken route is the reason the database is unreachable: the break names the hop. */}
      {probe.routeBreak ? (
        <RouteBreakNotice title="The database is unreachable: the SSH route broke" routeBreak={probe.routeBreak} route={probe.route} />
      ) : d.error ? (
        <ErrorNotice title={d.reachable ? 'The repository could not be read' : 'The database is unreachable'} error={d.error} />
      ) : null}
      <dl className="facts facts-compact">
        <div>
          <dt>Database</dt>
          <dd>{d.reachable ? <span className="status status-ok">reachable</span> : <span className="status status-error">unreachable</span>}</dd>
        </div>
        {/* Unreachable, nothing else was read: the error above says why. */}
        {d.reachable ? (
          <>
            <div>
              <dt>PostgreSQL</dt>
              <dd>{d.serverVersion ?? <span className="muted">unknown</span>}</dd>
            </div>
            <div>
              <dt>Encryption</dt>
              <dd>
                <EncryptionFact encryption={d.encryption} />
              </dd>
            </div>
            <div>
              <dt>repository_server_type</dt>
              <dd>{d.replicator ? <Rows values={d.serverTypeRows} /> : <span className="muted">not read</span>}</dd>
            </div>
            {d.cluster ? (
              <div>
                <dt>Cluster</dt>
                <dd>
                  <code>{d.cluster.systemIdentifier}</code> <span className="muted">/ {d.cluster.database}</span>
                </dd>
              </div>
            ) : null}
            {probe.role === 'master' ? <MasterFacts probe={probe} /> : <ReplicaFacts probe={probe} />}
          </>
        ) : null}
        <div className="topo-fact-wide">
          <dt>Process</dt>
          <dd>
            {processWords[probe.process.state]}
            {probe.process.state === 'stopped' && probe.process.exitCode !== null ? ` (control.status exited ${probe.process.exitCode})` : ''}
          </dd>
        </div>
        <div>
          <dt>Probe took</dt>
          <dd>{probe.elapsedMs} ms</dd>
        </div>
      </dl>
      {probe.process.error ? <ErrorNotice title={probe.process.state === 'not-approved' ? 'command not approved' : 'control.status failed'} error={probe.process.error} /> : null}
    </div>
  );
}
