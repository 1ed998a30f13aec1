// The banner under the header when the OS keychain cannot be used: no Secret Service answers,
// the keyring is locked, or the keychain hangs (core/secrets/keychainHealth.ts, asked once at
// start). It says what is wrong and what to install or unlock, and that ~/.pgpass is the
// fallback; "Check again" asks once more (after unlocking), and it can be dismissed.
import { useCallback, useEffect, useState } from 'react';
import type { KeychainHealth } from '../../../shared/keychainHealth';
import { api } from '../api';
import { CodeText } from '../components/CodeText';

const TITLES: Record<Exclude<KeychainHealth['state'], 'ok'>, string> = {
  'no-service': 'No keychain answers',
  locked: 'The keychain is locked',
  error: 'The keychain cannot be used',
};

type Shown = { health: KeychainHealth | null; checking: boolean; dismissed: boolean };

async function askKeychain(): Promise<KeychainHealth> {
  const result = await api.keychainHealth({});
  if (result.ok) return result.value;
  return { state: 'error', message: result.error.message, hint: result.error.hint ?? null, elapsedMs: 0 };
}

export function KeychainBanner() {
  const [shown, setShown] = useState<Shown>({ health: null, checking: true, dismissed: false });

  const check = useCallback(async () => {
    setShown((s) => ({ ...s, checking: true }));
    const health = await askKeychain();
    setShown((s) => ({ ...s, health, checking: false }));
  }, []);

  // Once at start; `checking` starts true, so only the answer sets state here.
  useEffect(() => {
    let live = true;
    void askKeychain().then((health) => {
      if (live) setShown((s) => ({ ...s, health, checking: false }));
    });
    return () => {
      live = false;
    };
  }, []);

  const { health, checking, dismissed } = shown;
  if (dismissed || !health || health.state === 'ok') return null;
  return (
    <div className="notice notice-warning keychain-banner" role="alert" aria-labelledby="keychain-banner-title">
      <div className="keychain-banner-text">
        <p className="notice-title" id="keychain-banner-title">
          {TITLES[health.state]}
        </p>
        <p className="notice-message">
          <CodeText text={health.message} />
        </p>
        {health.hint ? (
          <p className="notice-hint">
            <CodeText text={health.hint} />
          </p>
        ) : null}
        <p className="notice-hint">Until then, stored passwords cannot be read; database passwords in ~/.pgpass still work.</p>
      </div>
      <div className="keychain-banner-actions">
        <button type="button" className="button" onClick={() => void check()} disabled={checking}>
          {checking ? 'Checking…' : 'Check again'}
        </button>
        <button type="button" className="button button-quiet" onClick={() => setShown((s) => ({ ...s, dismissed: true }))}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
