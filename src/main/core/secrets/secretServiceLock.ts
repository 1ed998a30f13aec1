// Whether a Linux Secret Service (gnome-keyring, KeePassXC, …) keeps an entry from us because
// its keyring is locked. libsecret's lookup and delete, which keytar uses, skip locked items
// and answer "not found", so keytar's null means "no entry" only if nothing relevant is
// locked. We ask the service two questions that never raise an unlock prompt:
//   - Properties.Get(Collection.Locked) on the default collection, where keytar stores;
//   - Service.SearchItems for the entry, which lists matches in locked collections apart,
//     for an entry kept in another keyring than the default.
// The questions go through gdbus (GLib) or else dbus-send (libdbus), spawned with argv and a
// short timeout. Where neither is installed the state is unknown, and callers keep keytar's answer.
import { execFile } from 'node:child_process';
import { KEYCHAIN_SERVICE } from './secretStore';

export type KeychainLockState =
  | { state: 'unlocked' }
  /** `keyring` names the collection: "default", or the name in its D-Bus path (e.g. "login"). */
  | { state: 'locked'; keyring: string; entryFound: boolean }
  /** `timedOut`: the service took the question and gave no answer in time (hung, e.g. on a prompt). */
  | { state: 'unknown'; reason: string; timedOut?: boolean };

/** Asks whether `account` (or, for null, the default keyring where new entries go) is locked. */
export type KeychainLockProbe = (account: string | null) => Promise<KeychainLockState>;

export interface SecretServiceLockOptions {
  /** Environment of the D-Bus tool: PATH finds it, DBUS_SESSION_BUS_ADDRESS names the bus. */
  env?: NodeJS.ProcessEnv;
  /** Upper bound for each D-Bus call; the tool is killed after it. Default 3 s. */
  timeoutMs?: number;
}

export const DEFAULT_LOCK_PROBE_TIMEOUT_MS = 3_000;

const DEST = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';

type ToolResult = { ok: true; stdout: string } | { ok: false; missing: boolean; reason: string; timedOut?: boolean };

/**
 * The same question asked while it is already being asked shares the answer: a topology probe
 * of 100 servers whose keychain entries are missing asks "is the default keyring locked?"
 * 100 times at once, and 100 D-Bus tools started in one burst stall the event loop.
 */
const inFlight = new Map<string, Promise<ToolResult>>();

function runTool(file: string, args: string[], options: Required<SecretServiceLockOptions>): Promise<ToolResult> {
  const key = JSON.stringify([file, args, options.env.DBUS_SESSION_BUS_ADDRESS ?? null, options.timeoutMs]);
  const running = inFlight.get(key);
  if (running) return running;
  const answer = runToolOnce(file, args, options).finally(() => inFlight.delete(key));
  inFlight.set(key, answer);
  return answer;
}

function runToolOnce(file: string, args: string[], options: Required<SecretServiceLockOptions>): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: options.env, timeout: options.timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', shell: false, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const e = error as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return resolve({ ok: false, missing: true, reason: `${file} is not installed` });
        if (e.killed) return resolve({ ok: false, missing: false, reason: `${file} did not answer within ${options.timeoutMs / 1000} s`, timedOut: true });
        resolve({ ok: false, missing: false, reason: stderr.trim() || e.message });
      },
    );
  });
}

/** A collection, or the service itself, that has no such object: the service has no default keyring. */
const noSuchObject = (reason: string): boolean => /Object does not exist|NoSuchObject|UnknownObject/i.test(reason);

interface SearchResult {
  unlocked: string[];
  locked: string[];
}

/** One D-Bus command-line tool: how to ask each question and read its answer. */
interface DbusTool {
  file: string;
  lockedArgs(collection: string): string[];
  parseLocked(stdout: string): boolean | null;
  /** Null when this tool cannot pass the account safely. */
  searchArgs(account: string): string[] | null;
  /** Every item of the service, whatever its account. */
  serviceSearchArgs(): string[];
  parseSearch(stdout: string): SearchResult | null;
}

const objectPaths = (text: string, quote: string): string[] =>
  [...text.matchAll(new RegExp(`${quote}(/[A-Za-z0-9_/]*)${quote}`, 'g'))].map((m) => m[1] as string);

// gdbus prints GVariant text: `(<true>,)`, `(@ao [], [objectpath '/org/…/login/1'])`.
export function parseGdbusLocked(stdout: string): boolean | null {
  const m = /^\(<(true|false)>,\)$/.exec(stdout.trim());
  return m ? m[1] === 'true' : null;
}

export function parseGdbusSearch(stdout: string): SearchResult | null {
  const m = /^\((?:@ao )?\[([^\]]*)\], (?:@ao )?\[([^\]]*)\]\)$/.exec(stdout.trim());
  return m ? { unlocked: objectPaths(m[1] as string, "'"), locked: objectPaths(m[2] as string, "'") } : null;
}

// dbus-send prints `variant       boolean true`, and arrays as `array [ object path "/…" ]`.
export function parseDbusSendLocked(stdout: string): boolean | null {
  const m = /variant\s+boolean (true|false)/.exec(stdout);
  return m ? m[1] === 'true' : null;
}

export function parseDbusSendSearch(stdout: string): SearchResult | null {
  const arrays = [...stdout.matchAll(/array \[([^\]]*)\]/g)].map((m) => objectPaths(m[1] as string, '"'));
  return arrays.length === 2 ? { unlocked: arrays[0] as string[], locked: arrays[1] as string[] } : null;
}

const gdbus: DbusTool = {
  file: 'gdbus',
  lockedArgs: (collection) => [
    'call', '--session', '--dest', DEST, '--object-path', collection,
    '--method', 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Collection', 'Locked',
  ],
  parseLocked: parseGdbusLocked,
  // A JSON string is also a GVariant text string: the same quotes and backslash escapes.
  searchArgs: (account) => [
    'call', '--session', '--dest', DEST, '--object-path', SERVICE_PATH,
    '--method', 'org.freedesktop.Secret.Service.SearchItems',
    `{"service": ${JSON.stringify(KEYCHAIN_SERVICE)}, "account": ${JSON.stringify(account)}}`,
  ],
  serviceSearchArgs: () => [
    'call', '--session', '--dest', DEST, '--object-path', SERVICE_PATH,
    '--method', 'org.freedesktop.Secret.Service.SearchItems', `{"service": ${JSON.stringify(KEYCHAIN_SERVICE)}}`,
  ],
  parseSearch: parseGdbusSearch,
};

const dbusSend: DbusTool = {
  file: 'dbus-send',
  lockedArgs: (collection) => [
    '--session', '--print-reply', `--dest=${DEST}`, collection,
    'org.freedesktop.DBus.Properties.Get', 'string:org.freedesktop.Secret.Collection', 'string:Locked',
  ],
  parseLocked: parseDbusSendLocked,
  // dbus-send splits a dict on commas and has no escape for them.
  searchArgs: (account) =>
    account.includes(',')
      ? null
      : [
          '--session', '--print-reply', `--dest=${DEST}`, SERVICE_PATH,
          'org.freedesktop.Secret.Service.SearchItems', `dict:string:string:service,${KEYCHAIN_SERVICE},account,${account}`,
        ],
  serviceSearchArgs: () => [
    '--session', '--print-reply', `--dest=${DEST}`, SERVICE_PATH,
    'org.freedesktop.Secret.Service.SearchItems', `dict:string:string:service,${KEYCHAIN_SERVICE}`,
  ],
  parseSearch: parseDbusSendSearch,
};

// …/collection/login/3 → "login"
const keyringOf = (itemPath: string): string => /\/collection\/([^/]+)\//.exec(itemPath)?.[1] ?? 'unknown';

/**
 * Where `account`'s entry sits, locked or unlocked. Asked first for the whole service, which
 * concurrent callers share (runTool): with no locked item of the service at all, no account's
 * entry is locked, and 100 missing entries cost one D-Bus call instead of 100.
 */
async function searchAccount(tool: DbusTool, account: string, options: Required<SecretServiceLockOptions>): Promise<SearchResult | null> {
  const serviceRun = await runTool(tool.file, tool.serviceSearchArgs(), options);
  // A tool that failed or hung would not do better for one account; its time is spent.
  if (!serviceRun.ok) return null;
  const service = tool.parseSearch(serviceRun.stdout);
  if (service && service.locked.length === 0) return { unlocked: [], locked: [] };
  const searchArgs = tool.searchArgs(account);
  const searchRun = searchArgs ? await runTool(tool.file, searchArgs, options) : null;
  return searchRun?.ok ? tool.parseSearch(searchRun.stdout) : null;
}

async function probeWith(tool: DbusTool, account: string | null, options: Required<SecretServiceLockOptions>): Promise<KeychainLockState & { missing?: boolean }> {
  const [lockedRun, search] = await Promise.all([
    runTool(tool.file, tool.lockedArgs(DEFAULT_COLLECTION), options),
    account === null ? Promise.resolve(null) : searchAccount(tool, account, options),
  ]);
  if (!lockedRun.ok && lockedRun.missing) return { state: 'unknown', reason: lockedRun.reason, missing: true };

  // Found only in a locked keyring: whichever keyring that is, unlocking it gives the entry.
  if (search && search.locked.length > 0 && search.unlocked.length === 0) {
    return { state: 'locked', keyring: keyringOf(search.locked[0] as string), entryFound: true };
  }
  if (!lockedRun.ok) {
    if (noSuchObject(lockedRun.reason)) return { state: 'unlocked' }; // no default keyring yet: nothing is locked
    return { state: 'unknown', reason: lockedRun.reason, ...(lockedRun.timedOut ? { timedOut: true } : {}) };
  }
  const locked = tool.parseLocked(lockedRun.stdout);
  if (locked === null) return { state: 'unknown', reason: `unexpected answer from ${tool.file}: ${lockedRun.stdout.trim().slice(0, 200)}` };
  return locked ? { state: 'locked', keyring: 'default', entryFound: false } : { state: 'unlocked' };
}

/** The lock state as the Secret Service on the session bus reports it; never prompts, never hangs. */
export async function probeSecretServiceLock(account: string | null, options: SecretServiceLockOptions = {}): Promise<KeychainLockState> {
  const resolved = { env: options.env ?? process.env, timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_PROBE_TIMEOUT_MS };
  const reasons: string[] = [];
  for (const tool of [gdbus, dbusSend]) {
    const { missing, ...state } = await probeWith(tool, account, resolved);
    if (!missing) return state;
    reasons.push(state.state === 'unknown' ? state.reason : tool.file);
  }
  return { state: 'unknown', reason: reasons.join(', ') };
}
