/**
 * The outbox relay: the only path from a commit to MQTT (CONTRACT §5). It claims unsent rows in
 * commit order, publishes them with their QoS and retain flag, and marks a row sent only after the
 * broker acknowledged it (PUBACK/PUBCOMP). Broker down → rows wait in the database; process
 * killed → rows are still there, and the next relay leader clears its claims and sends them.
 * Delivery is at-least-once; every payload carries its `id` for consumers to dedupe.
 *
 * Order: rows are marked sent strictly in claim order. When a row is not acknowledged, it and
 * every later row already published (in this round and in the rounds still in flight) are given
 * back and published again, in seq order: no later row counts as delivered before an earlier one
 * is re-sent, so the broker's last word on a topic (the retained `saldo/{cedula}`) is the newest.
 */
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { OutboxQueue, OutboxRow } from '../store/store';
import type { RelayLeadership } from './leader-lease';

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

/** Always leader: a relay that is alone by construction (tests, a single process by design). */
const ALONE: RelayLeadership = { isLeader: true, term: 0 };

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
  /** Rounds are numbered when their claim starts; they finish one after another in that order. */
  private roundsStarted = 0;
  private lastFinish: Promise<void> = Promise.resolve();
  /** Rounds numbered below this started before a failure was given back: they give back all their rows. */
  private replayBelow = 0;
  /** A round gave rows back: no new claim until every round in flight has finished (and given back). */
  private draining = false;
  /** Rows to give back before the next claim (giving them back failed, or marking them did). */
  private unreleased: number[] = [];
  /** The leadership term whose predecessor's claims were cleared. */
  private claimsClearedTerm = 0;

  constructor(
    private readonly store: OutboxQueue,
    private readonly publisher: RelayPublisher,
    private readonly options: RelayOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly leadership: RelayLeadership = ALONE,
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
    while (flushMs > 0 && Date.now() < deadline && this.publisher.connected && this.leadership.isLeader && (await this.store.countOutboxPending().catch(() => 0)) > 0) {
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
   * the publishing of the rows committed behind it (only their marking).
   */
  private async loop(): Promise<void> {
    while (this.running) {
      try {
        if (await this.waitedForTurn()) continue;
        const nowMs = this.clock.now().getTime();
        await this.maybePrune(nowMs);
        if (this.draining) continue; // checked again with no await before the numbering below
        const number = ++this.roundsStarted;
        const rows = await this.store.claimOutbox(this.options.owner, this.options.batchMax, this.options.leaseMs, nowMs);
        if (rows.length === 0) {
          await this.wakeup.wait(this.options.pollMs);
          continue;
        }
        const pending = this.issue(rows);
        const round = this.lastFinish.then(() => this.finish(number, rows, pending)).finally(() => this.inFlight.delete(round));
        this.lastFinish = round;
        this.inFlight.add(round);
      } catch (err) {
        this.log.warn('relay.round_failed', { err });
        await this.wakeup.wait(this.options.pollMs);
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Waits when this relay may not claim now: broker down, not the leader, too many rounds in
   * flight, or rows to give back first. A newly gained leadership first clears every claim (its
   * predecessor's, or its own previous life's), with nothing of its own in flight. True = waited.
   */
  private async waitedForTurn(): Promise<boolean> {
    if (!this.publisher.connected) {
      await this.publisher.waitConnected(this.options.pollMs);
      return true;
    }
    if (!this.leadership.isLeader) {
      await this.wakeup.wait(this.options.pollMs);
      return true;
    }
    if (this.inFlight.size >= ROUNDS_IN_FLIGHT_MAX) {
      await Promise.race(this.inFlight);
      return true;
    }
    const term = this.leadership.term;
    if (term === this.claimsClearedTerm && this.unreleased.length === 0 && !this.draining) return false;
    await Promise.allSettled([...this.inFlight]);
    this.draining = false;
    if (term !== this.claimsClearedTerm) {
      const cleared = await this.store.resetOutboxClaims();
      this.log.info('relay.claims_cleared', { term, rows: cleared });
      this.claimsClearedTerm = term;
      this.unreleased = [];
    }
    if (this.unreleased.length > 0) {
      await this.store.releaseOutbox(this.options.owner, this.unreleased);
      this.unreleased = [];
    }
    return false;
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

  /**
   * Runs after every earlier round finished. Marks sent the acknowledged rows before the round's
   * first unacknowledged one; gives that row and all after it back (acknowledged or not), and
   * makes every round already started give all its rows back too, so they go out again after it.
   */
  private async finish(number: number, rows: OutboxRow[], pending: Array<Promise<boolean>>): Promise<void> {
    const outcomes = await Promise.all(pending);
    const firstFailed = number < this.replayBelow ? 0 : outcomes.indexOf(false);
    const cut = firstFailed === -1 ? rows.length : firstFailed;
    const acked = rows.slice(0, cut).map((r) => r.seq);
    const back = rows.slice(cut).map((r) => r.seq);
    let marked = false;
    try {
      if (acked.length > 0) {
        this.options.afterPublish?.();
        await this.store.markOutboxSent(acked, this.clock.now().getTime());
        this.sent += acked.length;
      }
      marked = true;
      if (back.length === 0) return;
      if (number >= this.replayBelow) this.log.warn('relay.unacknowledged', { claimed: rows.length, acknowledged: outcomes.filter(Boolean).length });
      await this.store.releaseOutbox(this.options.owner, back);
    } catch (err) {
      // Given back before the next claim instead: a row left claimed would go out after newer ones.
      this.log.warn('relay.mark_failed', { err });
      this.unreleased.push(...(marked ? back : [...acked, ...back]));
    }
    // Every round whose claim has started by now re-sends all its rows, after these; none starts
    // until they all have finished, so the next claim begins at the lowest row given back.
    this.replayBelow = this.roundsStarted + 1;
    this.draining = true;
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
