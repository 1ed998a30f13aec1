// An SSH hop's host key pin (the server host, a jump host, the tunnel endpoint), with trust
// on first use through the hops before it.
import { useState } from 'react';
import type { ServerRef } from '../../../../shared/profiles';
import type { ErrorPayload } from '../../../../shared/result';
import { api } from '../../api';
import type { SshHopInput } from './sshHopDraft';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RouteBreakNotice } from '../../components/route/RouteBreakNotice';
import { routeBreakOf } from '../../components/route/routeBreakOf';
import { throughJumpHosts } from '../../components/route/profileRoute';
import { TextField } from '../../components/TextField';
import '../profileEditor.css';

interface HostKeyFieldProps {
  /** The SSH hostname, port and ~/.ssh/config alias as typed in the form; the key is fetched from there. */
  hostname: string;
  port: string;
  alias?: string;
  /** The hops to pass through first (jump hosts); null while one of them is incomplete. */
  via?: SshHopInput[] | null;
  /** The saved server, so the hops before this one use its keychain secrets. */
  serverRef?: ServerRef | null;
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  errors: string[];
}

type FetchState =
  | { phase: 'idle' }
  | { phase: 'fetching' }
  | { phase: 'fetched'; fingerprint: string; from: string }
  | { phase: 'failed'; error: ErrorPayload }
  | { phase: 'trusted'; fingerprint: string };

const SERVER_COMMAND = 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub';

/** Empty: 22, or the alias's Port from ~/.ssh/config. */
function portNumber(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const port = Number(text.trim());
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

/** A jump host before the hop failed: which one, and why; otherwise the error as it is. */
function FetchFailure({ error }: { error: ErrorPayload }) {
  const routeBreak = routeBreakOf(error);
  const title = 'Could not fetch the host key';
  return routeBreak ? <RouteBreakNotice title={title} routeBreak={routeBreak} route={error.route?.view} /> : <ErrorNotice title={title} error={error} />;
}

/**
 * The SSH host key pin, with trust on first use: fetch the key the server presents, have
 * the admin compare it with the server's own fingerprint, and only then write it into the
 * profile. Nothing is trusted without that comparison being asked for.
 */
export function HostKeyField({ hostname, port, alias = '', via = [], serverRef = null, value, onChange, onBlur, errors }: HostKeyFieldProps) {
  const [state, setState] = useState<FetchState>({ phase: 'idle' });
  const portValue = portNumber(port);
  const target = hostname.trim();
  const aliasName = alias.trim();
  const named = target !== '' || aliasName !== '';
  const canFetch = named && portValue !== null && via !== null && state.phase !== 'fetching';
  // An alias without a port here takes its Port from ~/.ssh/config, which only main reads.
  const address = `${target || aliasName}${portValue ? `:${portValue}` : target ? ':22' : ''}`;
  const through = throughJumpHosts(via ?? []).trim();
  const from = through ? `${address} (${through})` : address;

  const fetchKey = async () => {
    if (!canFetch) return;
    setState({ phase: 'fetching' });
    const result = await api.probeHostKey({
      ...(target ? { hostname: target } : {}),
      ...(portValue !== undefined ? { port: portValue } : {}),
      ...(aliasName ? { alias: aliasName } : {}),
      ...(via.length > 0 ? { via } : {}),
      ...(serverRef ? { ref: serverRef } : {}),
    });
    setState(result.ok ? { phase: 'fetched', fingerprint: result.value.fingerprint, from } : { phase: 'failed', error: result.error });
  };

  const pinned = value.trim();
  return (
    <div className="field-wide host-key-field">
      <TextField
        label="Host key"
        wide
        monospace
        placeholder="SHA256:…"
        hint="The SSH server's host key fingerprint (OpenSSH SHA256:…). Pinned, a different key is refused."
        value={value}
        onChange={(v) => {
          onChange(v);
          if (state.phase === 'trusted') setState({ phase: 'idle' });
        }}
        onBlur={onBlur}
        errors={errors}
      />
      <div className="host-key-actions">
        <button type="button" className="button" onClick={() => void fetchKey()} disabled={!canFetch}>
          {state.phase === 'fetching' ? 'Fetching…' : 'Fetch host key'}
        </button>
        {!named ? <span className="field-hint">Enter the SSH hostname first.</span> : null}
        {named && via === null ? <span className="field-hint">Complete the jump hosts before this one first.</span> : null}
        {state.phase === 'trusted' ? <span className="status status-ok">Trusted; saved with the installation</span> : null}
      </div>

      {state.phase === 'failed' ? <FetchFailure error={state.error} /> : null}

      {state.phase === 'fetched' ? (
        <div className="host-key-review" role="group" aria-label="Fetched host key">
          <p>
            <code>{state.from}</code> presents this host key:
          </p>
          <p className="host-key-fingerprint">
            <code>{state.fingerprint}</code>
          </p>
          {pinned === state.fingerprint ? (
            <p className="status status-ok">This is the key already pinned.</p>
          ) : pinned !== '' ? (
            <p className="notice notice-warning">
              It differs from the pinned key <code>{pinned}</code>. Either the server's key was replaced, or another machine
              answers in its place. Trust the new key only after checking it on the server.
            </p>
          ) : null}
          <p className="host-key-compare">
            Before trusting it, compare it with the server's own fingerprint. On the server, run <code>{SERVER_COMMAND}</code>{' '}
            (or the <code>.pub</code> file of the key type in use) and trust the key only if both fingerprints are identical.
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                onChange(state.fingerprint);
                setState({ phase: 'trusted', fingerprint: state.fingerprint });
              }}
            >
              They match: trust this key
            </button>
            <button type="button" className="button" onClick={() => setState({ phase: 'idle' })}>
              Discard
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
