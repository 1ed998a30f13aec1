// Opening one route's forward through a TunnelPool hop by hop, noting each hop's outcome as
// it goes: which hops opened (with the host key each presented and how long it took), which
// one failed, which were never tried. Topology probes and connection tests use it so they
// can say where a route broke, also when their own deadline, not an error, ended the wait.
import type { ServerRef } from '../../../shared/profiles';
import type { RouteBreak, RouteHopResult, RouteOutcome } from '../../../shared/sshRoutes';
import type { ReplicaDeskError } from '../errors';
import { HostKeyMismatchError } from '../hosts/host';
import { HostKeyRevokedError, HostKeyUnknownError, KnownHostKeyChangedError } from '../hosts/hostKeyErrors';
import type { LocalForward } from './localForward';
import { forwardRefused, hopTimedOut, routeBreakOf } from './routeBreak';
import { routeViewOf, untriedHops } from './routeView';
import { describeHop, type SshRoute } from './sshRoute';
import { SshHopError } from './tunnelErrors';
import type { OpenOptions, TunnelPool } from './tunnelPool';

/** The key a refused hop presented, read from the refusal (the connection never got further). */
function presentedKey(error: unknown): string | undefined {
  const cause = error instanceof SshHopError ? error.reason : error;
  if (cause instanceof HostKeyMismatchError) return cause.actual;
  if (cause instanceof HostKeyUnknownError || cause instanceof KnownHostKeyChangedError || cause instanceof HostKeyRevokedError) return cause.fingerprint;
  return undefined;
}

export class RouteAttempt {
  readonly hops: RouteHopResult[];
  /** The hop being opened now; hops.length once the forward is open. */
  private current = 0;
  private routeBreak: RouteBreak | null = null;
  /** Set by giveUp(): whatever the pool says later no longer changes the outcome. */
  private frozen = false;

  constructor(
    readonly route: SshRoute,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.hops = untriedHops(route);
  }

  /** Opens (or reuses) each hop in order, then the forward. Rejects with the pool's error, noted. */
  async open(pool: TunnelPool, ref: ServerRef, options: OpenOptions = {}): Promise<LocalForward> {
    const { hops } = this.route;
    for (let i = 0; i < hops.length; i += 1) {
      const started = this.now();
      try {
        const connection = await pool.connect(ref, hops.slice(0, i + 1), options);
        this.note(i, { status: 'ok', hostKeyFingerprint: connection.hostKeyFingerprint, elapsedMs: Math.round(this.now() - started) });
      } catch (error) {
        const fingerprint = presentedKey(error);
        this.note(i, { status: 'failed', elapsedMs: Math.round(this.now() - started), ...(fingerprint ? { hostKeyFingerprint: fingerprint } : {}) });
        this.broke(error);
        throw error;
      }
      if (!this.frozen) this.current = i + 1;
    }
    return pool.forward(ref, this.route, options);
  }

  /**
   * The caller's deadline passed while the attempt was still opening: the hop being opened
   * then is the one that failed. Returns the error to report (null if every hop was open,
   * e.g. the database itself was slow), and ignores what the pool says afterwards.
   */
  giveUp(timeoutMs: number): SshHopError | null {
    if (this.frozen) return null;
    const pending = this.current < this.hops.length ? this.current : null;
    this.frozen = true;
    if (pending === null) return null;
    const error = hopTimedOut(this.route, pending, timeoutMs);
    this.hops[pending] = { ...this.hops[pending]!, status: 'failed' };
    this.routeBreak = routeBreakOf(error, this.route);
    return error;
  }

  /**
   * After a database connection through `forward` failed: the error on the route that
   * explains it (a hop of this route dropped, or the last hop could not reach the
   * database), noted as where the route broke; null when the route was fine.
   */
  failureOnRoute(pool: TunnelPool, forward: LocalForward): ReplicaDeskError | null {
    const dropped = pool.dropped;
    const hop = dropped ? this.route.hops[dropped.hopIndex] : undefined;
    if (dropped && hop && describeHop(hop) === describeHop(dropped.hop)) {
      this.broke(dropped);
      return dropped;
    }
    if (!forward.lastChannelError) return null;
    const refused = forwardRefused(this.route, forward.lastChannelError);
    this.broke(refused);
    return refused;
  }

  /** Records `error` as where the route broke, if it is about the route (a dropped hop, say). */
  broke(error: unknown): RouteBreak | null {
    if (this.frozen) return this.routeBreak;
    this.routeBreak ??= routeBreakOf(error, this.route);
    return this.routeBreak;
  }

  get routeBreakOrNull(): RouteBreak | null {
    return this.routeBreak;
  }

  outcome(): RouteOutcome {
    return { view: routeViewOf(this.route), hops: this.hops.map((h) => ({ ...h })), ...(this.routeBreak ? { break: this.routeBreak } : {}) };
  }

  private note(i: number, result: Pick<RouteHopResult, 'status' | 'hostKeyFingerprint' | 'elapsedMs'>): void {
    if (this.frozen) return;
    this.hops[i] = { ...this.hops[i]!, ...result };
  }
}
