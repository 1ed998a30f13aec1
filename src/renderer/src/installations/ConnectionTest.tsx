import { useState } from 'react';
import type { ConnectionReport } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ConnectionReportView } from '../components/ConnectionReportView';
import { ConnectionFailure } from '../components/ConnectionFailure';

type TestState =
  | { phase: 'idle' }
  | { phase: 'running' }
  | { phase: 'done'; report: ConnectionReport }
  | { phase: 'failed'; error: ErrorPayload };

export function ConnectionTest({ serverRef }: { serverRef: ServerRef }) {
  const [state, setState] = useState<TestState>({ phase: 'idle' });

  const run = async () => {
    setState({ phase: 'running' });
    const result = await api.testConnection({ ref: serverRef });
    setState(result.ok ? { phase: 'done', report: result.value } : { phase: 'failed', error: result.error });
  };

  return (
    <div className="connection-test">
      <button type="button" className="button" onClick={() => void run()} disabled={state.phase === 'running'}>
        {state.phase === 'running' ? 'Testing…' : 'Test connection'}
      </button>
      <div aria-live="polite">
        {state.phase === 'done' ? <ConnectionReportView report={state.report} /> : null}
        {state.phase === 'failed' ? <ConnectionFailure error={state.error} /> : null}
      </div>
    </div>
  );
}
