// React state for the installation form: the draft, which fields the admin has touched
// (a field shows its problems once touched, or after a save attempt), and the save call.
import { useCallback, useMemo, useState } from 'react';
import type { Installation, ServerRole } from '../../../../shared/profiles';
import type { ErrorPayload } from '../../../../shared/result';
import { api } from '../../api';
import {
  draftFromInstallation,
  emptyInstallationDraft,
  installationInputFrom,
  newServerDraft,
  serverRenamesIn,
  validateDraft,
  validationFromProblems,
  type FieldKey,
  type InstallationDraft,
  type ServerDraft,
} from './installationDraft';

export interface InstallationForm {
  draft: InstallationDraft;
  isNew: boolean;
  /** Problems to show on a field now (touched fields, or all after a save attempt). */
  errorsFor(key: FieldKey): string[];
  general: string[];
  touch(key: FieldKey): void;
  setField<K extends 'name' | 'description' | 'onlineBackup'>(key: K, value: InstallationDraft[K]): void;
  updateServer(index: number, next: ServerDraft): void;
  addServer(role: ServerRole): void;
  removeServer(index: number): void;
  saving: boolean;
  saveError: ErrorPayload | null;
  /** Validates, then saves; resolves with the saved installation, or null when nothing was saved. */
  save(): Promise<Installation | null>;
}

export function useInstallationForm(existing: Installation | null): InstallationForm {
  const [draft, setDraft] = useState<InstallationDraft>(() =>
    existing ? draftFromInstallation(existing) : emptyInstallationDraft(),
  );
  const [touched, setTouched] = useState<ReadonlySet<FieldKey>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ErrorPayload | null>(null);
  const [serverDraft, setServerDraft] = useState<InstallationDraft | null>(null);

  const validation = useMemo(() => validateDraft(draft), [draft]);
  // The server's problems stay on their fields until the admin changes something.
  const serverValidation = useMemo(
    () => (saveError?.problems && serverDraft === draft ? validationFromProblems(draft, saveError.problems) : null),
    [saveError, serverDraft, draft],
  );

  const touch = useCallback((key: FieldKey) => {
    setTouched((prev) => (prev.has(key) ? prev : new Set(prev).add(key)));
  }, []);

  const errorsFor = useCallback(
    (key: FieldKey): string[] => {
      const local = attempted || touched.has(key) ? (validation.byField.get(key) ?? []) : [];
      const remote = serverValidation?.byField.get(key) ?? [];
      return [...local, ...remote.filter((m) => !local.includes(m))];
    },
    [attempted, touched, validation, serverValidation],
  );

  const setField: InstallationForm['setField'] = (key, value) => {
    touch(key);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const updateServer = (index: number, next: ServerDraft) =>
    setDraft((d) => ({ ...d, servers: d.servers.map((s, i) => (i === index ? next : s)) }));

  const addServer = (role: ServerRole) => setDraft((d) => ({ ...d, servers: [...d.servers, newServerDraft(role)] }));

  const removeServer = (index: number) => {
    // Touched keys are positional; after a removal they would point at the wrong server.
    setTouched(new Set());
    setDraft((d) => ({ ...d, servers: d.servers.filter((_, i) => i !== index) }));
  };

  const save = async (): Promise<Installation | null> => {
    setAttempted(true);
    setSaveError(null);
    if (!validation.valid) return null;
    setSaving(true);
    try {
      const result = await api.saveInstallation({
        previousName: existing?.name,
        installation: installationInputFrom(draft),
        serverRenames: existing ? serverRenamesIn(draft) : [],
      });
      if (result.ok) return result.value;
      setSaveError(result.error);
      setServerDraft(draft);
      return null;
    } finally {
      setSaving(false);
    }
  };

  return {
    draft,
    isNew: existing === null,
    errorsFor,
    general: validation.general,
    touch,
    setField,
    updateServer,
    addServer,
    removeServer,
    saving,
    saveError,
    save,
  };
}
