// The sandbox as the whole window sees it (App holds one, SandboxContext hands it down): its
// status, the job main runs on it with live progress, and how the last job ended when it did
// not succeed. Main is the one source: on start the status says whether a job already runs
// (the window was reloaded mid-build), and events keep the progress current.
import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { SANDBOX_INSTALLATION, type SandboxStatus } from '../../../shared/sandbox';
import type { SandboxAction, SandboxEvent, SandboxJob } from '../../../shared/sandboxEvents';
import { api, onSandboxEvent } from '../api';

/** A job that ended without success: cancelled, or failed with the core's error. */
export interface SandboxJobEnd {
  action: SandboxAction;
  outcome: 'cancelled' | 'failed';
  error: ErrorPayload;
}

export interface SandboxState {
  /** null until the first answer. */
  status: SandboxStatus | null;
  statusError: ErrorPayload | null;
  /** The job main runs now, or the one this window just asked for; null when idle. */
  job: SandboxJob | null;
  lastEnd: SandboxJobEnd | null;
  /** Whether the installation of this name is the sandbox (by name until the status is known). */
  isSandbox(installation: string): boolean;
  /** Resolves true once the sandbox is up. */
  up(sizeMb: number): Promise<boolean>;
  /** Resolves true once it is gone; false when the admin declined or it failed (see lastEnd). */
  down(): Promise<boolean>;
  cancel(): Promise<void>;
}

const startedJob = (action: SandboxAction): SandboxJob => ({ action, startedAt: new Date().toISOString(), progress: null, cancelling: false });

/** `onChanged`: the installations changed (the sandbox's appeared or went); reload them. */
export function useSandbox(onChanged: () => Promise<unknown>): SandboxState {
  const [status, setStatus] = useState<SandboxStatus | null>(null);
  const [statusError, setStatusError] = useState<ErrorPayload | null>(null);
  const [job, setJob] = useState<SandboxJob | null>(null);
  const [lastEnd, setLastEnd] = useState<SandboxJobEnd | null>(null);

  const refresh = useCallback(async () => {
    const result = await api.sandboxStatus({});
    if (!result.ok) return setStatusError(result.error);
    const { job: running, ...rest } = result.value;
    setStatusError(null);
    setStatus(rest);
    if (running) setJob(running);
  }, []);

  useEffect(() => {
    void refresh();
    return onSandboxEvent((event: SandboxEvent) => {
      if (event.type === 'progress') {
        setJob((current) => ({ ...(current ?? startedJob(event.progress.action)), progress: event.progress }));
        return;
      }
      setJob(null);
      if (event.outcome !== 'done' && event.error) setLastEnd({ action: event.action, outcome: event.outcome, error: event.error });
      void refresh();
      void onChanged();
    });
  }, [refresh, onChanged]);

  const finish = useCallback(
    async (action: SandboxAction, error: ErrorPayload | null) => {
      setJob(null);
      if (error) setLastEnd({ action, outcome: error.code === 'cancelled' ? 'cancelled' : 'failed', error });
      await Promise.all([refresh(), onChanged()]);
    },
    [refresh, onChanged],
  );

  const up = useCallback(
    async (sizeMb: number) => {
      setLastEnd(null);
      setJob(startedJob('up'));
      const result = await api.sandboxUp({ sizeMb });
      await finish('up', result.ok ? null : result.error);
      return result.ok;
    },
    [finish],
  );

  const down = useCallback(async () => {
    setLastEnd(null);
    // Main asks the admin first; progress (and so the job) shows once they said yes.
    const result = await api.sandboxDown({});
    if (result.ok && !result.value.confirmed) return false;
    await finish('down', result.ok ? null : result.error);
    return result.ok;
  }, [finish]);

  const cancel = useCallback(async () => {
    setJob((current) => (current ? { ...current, cancelling: true } : current));
    await api.sandboxCancel({});
  }, []);

  const isSandbox = useCallback((installation: string) => installation === SANDBOX_INSTALLATION && (status === null || status.exists), [status]);

  return { status, statusError, job, lastEnd, isSandbox, up, down, cancel };
}
