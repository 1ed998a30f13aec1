import { useState } from 'react';
import type { ConnectionReport } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ConnectionReportView } from '../components/ConnectionReportView';
import { ConnectionFailure } from '../components/ConnectionFailure';

interface ServerActionsProps {
  serverRef: ServerRef;
  role: 'master' | 'replica';
  onRestore?(installation: string, replica: string): void;
}

type TestState = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; report: ConnectionReport } | { phase: 'failed'; error: ErrorPayload };

/** What the admin can do with a server from the picture: restore a replica, test the connection. */
export function ServerActions({ serverRef, role, onRestore }: ServerActionsProps) {
  const [test, setTest] = useState<TestState>({ phase: 'idle' });

  const runTest = async () => {
    setTest({ phase: 'running' });
    const result = await api.testConnection({ ref: serverRef });
    setTest(result.ok ? { phase: 'done', report: result.value } : { phase: 'failed', error: result.error });
  };

  return (
    <div className="topo-details-actions">
      <div className="actions">
        {role === 'replica' && onRestore ? (
          <button type="button" className="button button-primary" onClick={() => onRestore(serverRef.installation, serverRef.server)}>
            Restore {serverRef.server}…
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => void runTest()} disabled={test.phase === 'running'}>
          {test.phase === 'running' ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <div aria-live="polite">
        {test.phase === 'done' ? <ConnectionReportView report={test.report} /> : null}
        {test.phase === 'failed' ? <ConnectionFailure error={test.error} /> : null}
      </div>
    </div>
  );
}
