// Notices a dump or restore on which nothing moves any more. TCP keepalives catch a peer
// that vanished, but not a connection that something in between (a proxy, a NAT, a VPN
// gateway) keeps open while forwarding nothing: then the tool waits forever. The watchdog
// measures progress (bytes, log lines) and declares a stall after `timeoutMs` without any,
// unless a `check` finds the work alive (a restore's server busy on one long statement).

/** How long nothing may move before a dump or restore counts as stalled. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

export interface Stall {
  /** How long nothing had moved when the stall was declared. */
  idleMs: number;
  /** What the check found out, if it ran. */
  detail?: string;
}

export interface StallCheck {
  /** True when the work is alive although nothing moved; the clock starts again. */
  alive: boolean;
  detail?: string;
}

export interface ProgressWatchdogOptions {
  /** No progress for this long is a stall. 0 or Infinity turns the watchdog off. */
  timeoutMs: number;
  /** Called once, when the stall is declared; it should stop the work. */
  onStall: (stall: Stall) => void;
  /** Asked before a stall is declared; a rejection counts as "not alive". */
  check?: () => Promise<StallCheck>;
}

export interface ProgressWatchdog {
  /** Records progress. */
  touch(): void;
  /** Ends the watch; no stall is declared after this. */
  stop(): void;
  /** The declared stall, if any. */
  readonly stall: Stall | null;
}

export function watchProgress(options: ProgressWatchdogOptions): ProgressWatchdog {
  const { timeoutMs } = options;
  let last = Date.now();
  let stall: Stall | null = null;
  let checking = false;
  let stopped = false;
  const enabled = Number.isFinite(timeoutMs) && timeoutMs > 0;

  const declare = (detail?: string): void => {
    if (stopped || stall) return;
    stall = { idleMs: Date.now() - last, ...(detail ? { detail } : {}) };
    stop();
    options.onStall(stall);
  };

  const tick = (): void => {
    if (stopped || checking || Date.now() - last < timeoutMs) return;
    if (!options.check) return declare();
    checking = true;
    const asked = Date.now();
    options.check().then(
      (verdict) => {
        checking = false;
        if (last >= asked) return; // progress came meanwhile
        if (verdict.alive) last = Date.now();
        else declare(verdict.detail);
      },
      (error: unknown) => {
        checking = false;
        if (last < asked) declare(`the watchdog's check failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  };

  // A coarse tick is enough: the stall is declared at most a quarter of the timeout (≤ 1 s) late.
  const timer = enabled ? setInterval(tick, Math.min(1_000, Math.max(50, Math.floor(timeoutMs / 4)))) : null;
  timer?.unref();
  function stop(): void {
    stopped = true;
    if (timer) clearInterval(timer);
  }

  return {
    touch() {
      last = Date.now();
    },
    stop,
    get stall() {
      return stall;
    },
  };
}
