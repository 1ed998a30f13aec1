// The installations as the core has them, reloaded after every change the screen makes
// (and on demand, e.g. after a `replica-desk profiles import` in a terminal).
import { useCallback, useEffect, useState } from 'react';
import type { Installation } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';

export interface InstallationsState {
  /** null until the first answer arrives. */
  installations: Installation[] | null;
  error: ErrorPayload | null;
  reload(): Promise<Installation[] | null>;
}

export function useInstallations(): InstallationsState {
  const [installations, setInstallations] = useState<Installation[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const reload = useCallback(async () => {
    const result = await api.listInstallations({});
    if (!result.ok) {
      setError(result.error);
      return null;
    }
    setError(null);
    setInstallations(result.value);
    return result.value;
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { installations, error, reload };
}
