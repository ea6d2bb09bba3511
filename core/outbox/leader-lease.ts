/**
 * One relay at a time: the relay leader lease. Several core processes may share one database;
 * if each relayed, two could publish one account's events out of order (CONTRACT §5 asks for a
 * strictly increasing `version` per account, and a retained balance must not go backwards). So
 * one instance holds a lease in the database (`relay_lider`), renewed every heartbeat; the others
 * stand by and try to take it at each heartbeat, which succeeds once it has expired.
 *
 * The leader counts itself leader only until (start of its last successful renewal + lease −
 * one heartbeat), measured on its own monotonic clock, so it stops claiming before any stand-by
 * can see the lease expire. Each time leadership is gained, `term` grows: the relay then clears
 * the claims of its predecessor (or of its own previous life) before claiming anything.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log';
import type { RelayLease } from '../store/store';

export interface RelayLeadership {
  readonly isLeader: boolean;
  /** Grows by one each time leadership is gained. */
  readonly term: number;
}

export interface LeaderLeaseOptions {
  instance: string;
  leaseMs: number;
  heartbeatMs: number;
}

export class LeaderLease implements RelayLeadership {
  private grantedAtMs: number | null = null;
  private currentTerm = 0;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly store: RelayLease, private readonly options: LeaderLeaseOptions, private readonly log: Logger) {}

  get isLeader(): boolean {
    return this.grantedAtMs !== null && performance.now() - this.grantedAtMs < this.options.leaseMs - this.options.heartbeatMs;
  }

  get term(): number {
    return this.currentTerm;
  }

  /** Tries once at once (so a lone or restarted instance leads without delay), then every heartbeat. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => this.schedule());
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const startedMs = performance.now();
    const wasLeader = this.isLeader;
    try {
      const granted = await this.store.acquireRelayLease(this.options.instance, this.options.leaseMs);
      if (granted && !wasLeader) {
        this.currentTerm += 1;
        this.log.info('relay.leader', { instance: this.options.instance, term: this.currentTerm });
      }
      if (!granted && wasLeader) this.log.warn('relay.leadership_lost', { instance: this.options.instance });
      this.grantedAtMs = granted ? startedMs : null;
    } catch (err) {
      // The lease simply runs out on our side (isLeader turns false in time); a stand-by may take it.
      this.log.warn('relay.lease_failed', { instance: this.options.instance, err });
    }
  }

  /** Stops renewing and gives the lease up, so a stand-by takes over at its next heartbeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.beating;
    const held = this.grantedAtMs !== null;
    this.grantedAtMs = null;
    if (held) await this.store.releaseRelayLease(this.options.instance).catch((err: unknown) => this.log.warn('relay.lease_release_failed', { err }));
  }
}
