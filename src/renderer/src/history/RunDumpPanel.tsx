import { useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { dumpDeletedBy, type RunRecord } from '../../../shared/runRecord';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatByteSize } from '../../../shared/byteSize';
import { formatDateTime } from './timeFormat';

interface RunDumpPanelProps {
  run: RunRecord;
  /** Reads the run again after a deletion. */
  onChanged(): void;
}

/**
 * The run's dump of the master: its file and size, or when and why it was deleted. Deleting
 * asks in the main process (a native dialog naming the file and size); the renderer's click
 * alone decides nothing, and a dump a resumable run needs is refused there.
 */
export function RunDumpPanel({ run, onChanged }: RunDumpPanelProps) {
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [declined, setDeclined] = useState(false);
  const dump = run.dump;
  if (!dump) return <p className="muted">This run made no dump of its own{run.backup ? ' (it restored from an existing backup)' : ''}.</p>;

  const remove = async () => {
    setDeleting(true);
    setError(null);
    setDeclined(false);
    const result = await api.deleteRunDump({ runId: run.runId });
    setDeleting(false);
    if (!result.ok) setError(result.error);
    else if (!result.value.deleted) setDeclined(true);
    else onChanged();
  };

  return (
    <div className="run-dump" data-dump-state={dump.state}>
      <dl className="facts">
        <div className="facts-wide">
          <dt>Dump file</dt>
          <dd className="mono">{dump.file}</dd>
        </div>
        <div>
          <dt>On disk</dt>
          <dd className="run-dump-state">
            {dump.state === 'present' ? (
              <span title={`${dump.bytes.toLocaleString('en-US')} bytes`}>{formatByteSize(dump.bytes)}</span>
            ) : dump.state === 'deleted' ? (
              `Dump deleted ${dumpDeletedBy(dump.deleted!.reason)} on ${formatDateTime(dump.deleted!.at)}`
            ) : (
              'Missing from the disk'
            )}
          </dd>
        </div>
      </dl>
      {dump.state === 'present' ? (
        <div className="actions">
          <button type="button" className="button button-danger" onClick={() => void remove()} disabled={deleting} title="The dump holds the whole master, user credentials included">
            {deleting ? 'Deleting…' : 'Delete dump…'}
          </button>
        </div>
      ) : null}
      {declined ? <p className="muted" role="status">The dump was not deleted.</p> : null}
      {error ? <ErrorNotice title="Could not delete the dump" error={error} /> : null}
    </div>
  );
}
