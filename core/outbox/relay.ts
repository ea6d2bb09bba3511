/**
 * The outbox relay: the only path from a commit to MQTT (CONTRACT §5). It claims unsent rows in
 * commit order, publishes them with their QoS and retain flag, and marks a row sent only after the
 * broker acknowledged it (PUBACK/PUBCOMP). Broker down → rows wait in the database; process
 * killed → rows are still there, and a claim whose lease ran out is taken over. Delivery is
 * at-least-once; every payload carries its `id` for consumers to dedupe.
 */
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { LedgerStore, OutboxRow } from '../store/store';

export interface RelayPublisher {
  readonly connected: boolean;
  /** Resolves when the broker acknowledged the message (QoS 1/2). */
  publish(topic: string, payload: string, options: { qos: 0 | 1 | 2; retain: boolean }): Promise<void>;
  /** Resolves on the next successful (re)connection, or after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void>;
}

export interface RelayOptions {
  owner: string;
  topicPrefix: string;
  /** Rows claimed and published per round. */
  batchMax: number;
  /** How long a claim is ours; a crashed relay's rows are taken over after it. */
  leaseMs: number;
  /** Poll for rows other processes committed (or a missed wake-up) this often. */
  pollMs: number;
  /** A publish not acknowledged within this is given up for the round; the row stays unsent. */
  publishTimeoutMs: number;
  /** Sent rows are deleted after this long; deletes go `batchMax` at a time. */
  retentionMs: number;
  /** How often sent rows are pruned (default 5 s). */
  pruneEveryMs?: number;
  /** Fault injection: runs after the broker acknowledged a round, before it is marked sent. */
  afterPublish?: () => void;
}

/** Sent rows are pruned (every `pruneEveryMs`) in passes of `batchMax` rows, for at most this long. */
const PRUNE_BUDGET_MS = 200;

/** Rounds whose acknowledgements may be awaited at once (brokers may delay PUBACKs by ~40 ms). */
const ROUNDS_IN_FLIGHT_MAX = 16;

/** A wake-up that is never lost: fired with no one waiting, the next wait returns at once. */
class Wakeup {
  private pending = false;
  private waiters: Array<() => void> = [];

  fire(): void {
    if (this.waiters.length === 0) this.pending = true;
    for (const w of this.waiters.splice(0)) w();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }
}

export class OutboxRelay {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly wakeup = new Wakeup();
  private readonly inFlight = new Set<Promise<void>>();
  private lastPruneMs = 0;
  private sent = 0;

  constructor(
    private readonly store: LedgerStore,
    private readonly publisher: RelayPublisher,
    private readonly options: RelayOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Rows published and acknowledged since start. */
  get sentCount(): number {
    return this.sent;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** A commit wrote rows: publish now instead of at the next poll. */
  wake(): void {
    this.wakeup.fire();
  }

  /**
   * Stops after the rounds in flight. With `flushMs`, first keeps publishing until nothing is
   * pending or the time is up (shutdown: "flush the outbox").
   */
  async stop(flushMs = 0): Promise<void> {
    const deadline = Date.now() + flushMs;
    while (flushMs > 0 && Date.now() < deadline && this.publisher.connected && (await this.store.countOutboxPending().catch(() => 0)) > 0) {
      this.wake();
      await new Promise((r) => setTimeout(r, 20));
    }
    this.running = false;
    this.wake();
    await this.loopDone;
  }

  /**
   * Claims and publishes round after round in seq order; acknowledgements of up to
   * ROUNDS_IN_FLIGHT_MAX rounds are awaited concurrently, so one slow PUBACK does not hold back
   * the rows committed behind it.
   */
  private async loop(): Promise<void> {
    while (this.running) {
      try {
        if (!this.publisher.connected) {
          await this.publisher.waitConnected(this.options.pollMs);
          continue;
        }
        if (this.inFlight.size >= ROUNDS_IN_FLIGHT_MAX) {
          await Promise.race(this.inFlight);
          continue;
        }
        const nowMs = this.clock.now().getTime();
        await this.maybePrune(nowMs);
        const rows = await this.store.claimOutbox(this.options.owner, this.options.batchMax, this.options.leaseMs, nowMs);
        if (rows.length === 0) {
          await this.wakeup.wait(this.options.pollMs);
          continue;
        }
        const round = this.finish(rows, this.issue(rows)).finally(() => this.inFlight.delete(round));
        this.inFlight.add(round);
      } catch (err) {
        this.log.warn('relay.round_failed', { err });
        await this.wakeup.wait(this.options.pollMs);
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /** Issues the round's publishes in seq order on one connection: the broker gets them in commit order. */
  private issue(rows: OutboxRow[]): Array<Promise<boolean>> {
    return rows.map((row) =>
      withTimeout(this.publisher.publish(this.topic(row.topic), row.payload, { qos: row.qos, retain: row.retain }), this.options.publishTimeoutMs).then(
        () => true,
        (err: unknown) => {
          this.log.debug('relay.publish_failed', { id: row.id, err });
          return false;
        },
      ),
    );
  }

  /** Marks exactly the acknowledged rows sent; gives the others back for the next round. */
  private async finish(rows: OutboxRow[], pending: Array<Promise<boolean>>): Promise<void> {
    const outcomes = await Promise.all(pending);
    const acked = rows.filter((_, i) => outcomes[i]).map((r) => r.seq);
    const failed = rows.filter((_, i) => !outcomes[i]).map((r) => r.seq);
    try {
      if (acked.length > 0) {
        this.options.afterPublish?.();
        await this.store.markOutboxSent(acked, this.clock.now().getTime());
        this.sent += acked.length;
      }
      if (failed.length > 0) {
        this.log.warn('relay.unacknowledged', { claimed: rows.length, acknowledged: acked.length });
        await this.store.releaseOutbox(this.options.owner, failed);
      }
    } catch (err) {
      // Unmarked rows stay claimed until their lease ends, then go out again (same ids).
      this.log.warn('relay.mark_failed', { err });
    }
  }

  private topic(relative: string): string {
    return `${this.options.topicPrefix}/${relative}`;
  }

  private async maybePrune(nowMs: number): Promise<void> {
    if (nowMs - this.lastPruneMs < (this.options.pruneEveryMs ?? 5000)) return;
    this.lastPruneMs = nowMs;
    // Keep deleting while passes come back full, within a time budget: pruning keeps up with the
    // write rate (up to batchMax rows per ~ms of budget) without stalling the relay.
    const started = Date.now();
    let removed = 0;
    for (;;) {
      const pass = await this.store.pruneOutbox(nowMs - this.options.retentionMs, this.options.batchMax);
      removed += pass;
      if (pass < this.options.batchMax || Date.now() - started > PRUNE_BUDGET_MS) break;
    }
    if (removed > 0) this.log.debug('relay.pruned', { rows: removed });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not acknowledged within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
