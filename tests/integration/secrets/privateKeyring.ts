// A real gnome-keyring of its own for a test that locks it: a private D-Bus session bus and
// gnome-keyring-daemon with a known password, in temporary XDG dirs. Locking it touches no
// other test (each file runs in its own process, and with-keyring.sh's keyring is elsewhere).
//
// Unlocking needs no prompt: gnome-keyring-daemon --replace --unlock starts a daemon that
// opens the keyring with the password from stdin, the command the locked hint gives.
// Optionally another keyring file, locked from the start, holds entries outside the default
// keyring; and prompts can be shown on an Xvfb display, where nobody answers them.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEST = 'org.freedesktop.secrets';
export const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';

/** Why a private keyring cannot run here, or null when it can. */
export function privateKeyringUnavailable(): string | null {
  if (process.platform !== 'linux') return 'a private gnome-keyring needs Linux';
  for (const tool of ['dbus-daemon', 'gnome-keyring-daemon', 'gdbus', 'dbus-send', 'secret-tool']) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status !== 0) {
      return `${tool} is missing (apt-get install -y gnome-keyring dbus-x11 libsecret-tools libglib2.0-bin)`;
    }
  }
  return null;
}

export const xvfbUnavailable = (): string | null =>
  spawnSync('sh', ['-c', 'command -v Xvfb && test -x /usr/libexec/gcr-prompter']).status === 0
    ? null
    : 'Xvfb or gcr-prompter is missing (apt-get install -y xvfb gcr)';

export interface PrivateKeyring {
  /** For a child process (the CLI) that must use this keyring. */
  env: { DBUS_SESSION_BUS_ADDRESS: string; XDG_DATA_HOME: string; XDG_RUNTIME_DIR: string };
  lockDefault(): Promise<void>;
  isLocked(collection?: string): Promise<boolean>;
  /** `gnome-keyring-daemon --replace --unlock --components=secrets` with the password on stdin. */
  unlockByRestart(): Promise<void>;
  /** Starts Xvfb and lets the bus start gcr-prompter there, so an unlock prompt waits for an answer. */
  showPrompts(): Promise<void>;
  /** SIGSTOP / SIGCONT the keyring daemon: it keeps its bus name but answers nothing, as a keychain hung on a prompt. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export interface LockedKeyringSeed {
  /** The keyring's file name and D-Bus collection name, e.g. "archive". */
  name: string;
  entries: Array<{ service: string; account: string; secret: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function call(file: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: 10_000, killSignal: 'SIGKILL', encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
    // A tool that exits without reading its stdin closes the pipe first: that is no failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });
}

async function startBus(env: NodeJS.ProcessEnv): Promise<{ bus: ChildProcess; address: string }> {
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    bus.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)));
  });
  return { bus, address };
}

/** Starts gnome-keyring-daemon in the foreground and waits until its default keyring answers. */
async function startDaemon(env: NodeJS.ProcessEnv, password: string, replace: boolean): Promise<ChildProcess> {
  const args = ['--foreground', ...(replace ? ['--replace'] : []), '--unlock', '--components=secrets'];
  const daemon = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
  daemon.stdin!.on('error', () => undefined);
  daemon.stdin!.end(password);
  const deadline = Date.now() + 15_000;
  // Not a call to org.freedesktop.secrets: that would let the bus start a second daemon.
  const hasOwner = ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetNameOwner', DEST];
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`gnome-keyring-daemon exited with ${daemon.exitCode}`);
    const owner = await call('gdbus', hasOwner, env).catch(() => '');
    const pid = owner ? await call('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID', DEST], env).catch(() => '') : '';
    if (pid.includes(`uint32 ${daemon.pid}`)) {
      const locked = await lockedState(env, DEFAULT_COLLECTION).catch(() => null);
      if (locked === false) return daemon;
    }
    if (Date.now() > deadline) throw new Error('gnome-keyring-daemon did not come up within 15 s');
    await sleep(50);
  }
}

async function lockedState(env: NodeJS.ProcessEnv, collection: string): Promise<boolean> {
  const out = await call('gdbus', ['call', '--session', '--dest', DEST, '--object-path', collection, '--method', 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Collection', 'Locked'], env);
  return out.includes('<true>');
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  });
}

export async function startPrivateKeyring(options: { lockedKeyring?: LockedKeyringSeed } = {}): Promise<PrivateKeyring> {
  const root = mkdtempSync(join(tmpdir(), 'replica-desk-locked-keyring-'));
  chmodSync(root, 0o700);
  const dataHome = join(root, 'data');
  const runtime = join(root, 'run');
  mkdirSync(dataHome, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root, XDG_DATA_HOME: dataHome, XDG_RUNTIME_DIR: runtime, LANG: 'C.UTF-8' };
  const password = randomBytes(12).toString('hex');
  const children: ChildProcess[] = [];

  try {
    // The other keyring: made as "login" with another password in a first session, then renamed.
    if (options.lockedKeyring) {
      const first = await startBus(baseEnv);
      children.push(first.bus);
      const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: first.address };
      const daemon = await startDaemon(env, randomBytes(12).toString('hex'), false);
      children.push(daemon);
      for (const e of options.lockedKeyring.entries) {
        await call('secret-tool', ['store', '--label', e.account, 'service', e.service, 'account', e.account], env, e.secret);
      }
      await stopProcess(daemon);
      await stopProcess(first.bus);
      children.length = 0;
      renameSync(join(dataHome, 'keyrings', 'login.keyring'), join(dataHome, 'keyrings', `${options.lockedKeyring.name}.keyring`));
    }

    const { bus, address } = await startBus(baseEnv);
    children.push(bus);
    const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address };
    let daemon = await startDaemon(env, password, false);
    let xvfb: ChildProcess | undefined;

    return {
      env: { DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: dataHome, XDG_RUNTIME_DIR: runtime },
      async lockDefault() {
        await call('dbus-send', ['--session', '--print-reply', `--dest=${DEST}`, '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', `array:objpath:${DEFAULT_COLLECTION}`], env);
      },
      isLocked: (collection = DEFAULT_COLLECTION) => lockedState(env, collection),
      async unlockByRestart() {
        const old = daemon;
        daemon = await startDaemon(env, password, true);
        await stopProcess(old);
      },
      async showPrompts() {
        const display = `:${90 + (process.pid % 800)}`;
        xvfb = spawn('Xvfb', [display, '-nolisten', 'tcp'], { env: baseEnv, stdio: 'ignore' });
        await sleep(500);
        if (xvfb.exitCode !== null) throw new Error(`Xvfb ${display} did not start`);
        await call('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.UpdateActivationEnvironment', `{"DISPLAY": "${display}"}`], env);
      },
      freeze: () => void daemon.kill('SIGSTOP'),
      thaw: () => void daemon.kill('SIGCONT'),
      async stop() {
        daemon.kill('SIGCONT');
        await stopProcess(daemon);
        await stopProcess(bus);
        await stopProcess(xvfb);
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const child of children) await stopProcess(child);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
