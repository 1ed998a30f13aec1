import { useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { MAX_DUMPS_KEPT } from '../../../shared/settingLimits';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';

/** The retention setting: how many dumps of each installation stay after each run. */
export function DumpRetentionSetting() {
  const [stored, setStored] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    void api.getSettings({}).then((result) => {
      if (result.ok) {
        setStored(result.value.dumpsKept);
        setDraft(String(result.value.dumpsKept));
      } else setError(result.error);
    });
  }, []);

  const value = Number(draft);
  const valid = /^\d+$/.test(draft) && value >= 1 && value <= MAX_DUMPS_KEPT;
  const save = async () => {
    setSaving(true);
    const result = await api.updateSettings({ settings: { dumpsKept: value } });
    setSaving(false);
    if (result.ok) {
      setStored(result.value.dumpsKept);
      setError(null);
    } else setError(result.error);
  };

  return (
    <form
      className="dump-retention"
      aria-label="Dump retention"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void save();
      }}
    >
      <label>
        Keep the newest
        <input type="number" min={1} max={MAX_DUMPS_KEPT} step={1} value={draft} onChange={(e) => setDraft(e.target.value)} aria-invalid={!valid} disabled={stored === null} />
        dumps per installation
      </label>
      <button type="submit" className="button" disabled={!valid || saving || value === stored}>
        {saving ? 'Saving…' : 'Save'}
      </button>
      {!valid && draft !== '' ? <span className="dump-retention-error">a whole number of at least 1</span> : null}
      {error ? <ErrorNotice title="Could not save the setting" error={error} /> : null}
    </form>
  );
}
