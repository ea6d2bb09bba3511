/**
 * What every sink node (audit, email, Kafka, Azure IoT) needs between Node-RED and its transport:
 *
 * - **Bounded**: at most `queueMax` items wait or are in flight. Overflow policy: the newest item is
 *   refused with `queue_full` (its message goes to Catch); nothing already accepted is dropped.
 * - **Acknowledged only when accepted**: `push()` resolves once the transport said the remote side
 *   accepted the item — the node calls `done()` then, never before.
 * - **Ordered**: one batch in flight at a time, retried at the head of the queue, so items leave in
 *   the order they came (a Kafka key's order, an account's alerts).
 * - **Retry with backoff** for transient failures (`retriable`), up to `attemptsMax` tries
 *   (Infinity: until delivered); permanent failures reject at once, never retried.
 * - **Dedupe by event id**: an id delivered (last `dedupeIds`) or already queued is not sent again.
 * - **Flush on close**: `close(timeout)` refuses new items and keeps sending the queued ones until
 *   the time runs out; whatever is left is rejected with `closed`.
 */
import { EventEmitter } from 'node:events';
import { LruSet } from '../lru-set';
import { SinkError, isSinkError } from './sink-error';

export type Outcome = SinkError | undefined;

export interface SinkTransport<T> {
  /**
   * Sends one batch. Resolves when the remote side accepted all of it — or with one outcome per
   * item (undefined = accepted, a SinkError = refused; transient ones are retried alone). A throw
   * means the whole batch failed.
   */
  send(batch: readonly T[]): Promise<readonly Outcome[] | void>;
  /** Turns what `send` threw into a SinkError (default: a non-SinkError is transient). */
  classify?(err: unknown): SinkError;
}

export interface RetryPolicy {
  initial_ms: number;
  max_ms: number;
  /** Tries per batch before its items are rejected; Infinity retries until delivered. */
  attempts_max: number;
}

export interface SinkQueueOptions {
  queueMax: number;
  /** Items sent together; 1 sends one at a time. */
  batchMax: number;
  /** How long a partly filled batch waits for more items (0: send what is there). */
  lingerMs: number;
  retry: RetryPolicy;
  /** Delivered ids remembered for dedupe; 0 turns dedupe off. */
  dedupeIds: number;
  /** Injected for tests (STYLE §7). */
  sleep?: (ms: number, wake: AbortSignal) => Promise<void>;
  random?: () => number;
}

export type PushResult = 'sent' | 'duplicate';

export interface SinkStats {
  sent: number;
  failed: number;
  duplicates: number;
  /** Items waiting or in flight. */
  backlog: number;
  /** Tries of the current batch that failed transiently (0 when the last try succeeded). */
  failingAttempts: number;
  lastError: { code: string; message: string; at: number } | undefined;
  lastSentAt: number | undefined;
  closed: boolean;
}

interface Entry<T> {
  id: string | undefined;
  value: T;
  resolve(result: PushResult): void;
  reject(err: SinkError): void;
}

/** Backoff before try n+1 (n ≥ 1): initial × 2^(n−1), capped, with "equal jitter" (half fixed, half random). */
export function backoffMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.max_ms, policy.initial_ms * 2 ** Math.min(30, failedAttempts - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

function abortableSleep(ms: number, wake: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (wake.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake.removeEventListener('abort', done);
      resolve();
    }
    wake.addEventListener('abort', done, { once: true });
  });
}

export class SinkQueue<T> extends EventEmitter<{ change: [SinkStats] }> {
  private readonly waiting: Entry<T>[] = [];
  private batch: Entry<T>[] = [];
  private readonly queuedIds = new Map<string, Promise<PushResult>>();
  private readonly delivered: LruSet | undefined;
  private readonly wake = new AbortController();
  private lingerWake: (() => void) | undefined;
  private pumping: Promise<void> | undefined;
  private closing = false;
  private readonly stats_: SinkStats = { sent: 0, failed: 0, duplicates: 0, backlog: 0, failingAttempts: 0, lastError: undefined, lastSentAt: undefined, closed: false };

  constructor(private readonly transport: SinkTransport<T>, private readonly opts: SinkQueueOptions) {
    super();
    if (!(opts.queueMax >= 1 && opts.batchMax >= 1 && opts.batchMax <= opts.queueMax)) throw new RangeError('SinkQueue needs 1 ≤ batchMax ≤ queueMax');
    this.delivered = opts.dedupeIds > 0 ? new LruSet(opts.dedupeIds) : undefined;
  }

  stats(): SinkStats {
    return { ...this.stats_, backlog: this.waiting.length + this.batch.length };
  }

  /** Queues one item; resolves when delivered (or a duplicate), rejects with a SinkError. */
  push(id: string | undefined, value: T): Promise<PushResult> {
    if (this.closing) return Promise.reject(new SinkError('closed', 'the node is closing; the item was not queued'));
    if (id !== undefined) {
      if (this.delivered?.has(id)) return this.duplicate();
      const queued = this.queuedIds.get(id);
      if (queued) return queued.then(() => this.duplicate());
    }
    if (this.waiting.length + this.batch.length >= this.opts.queueMax) {
      return Promise.reject(new SinkError('queue_full', `queue full: ${this.opts.queueMax} items waiting; this one was refused`));
    }
    const result = new Promise<PushResult>((resolve, reject) => this.waiting.push({ id, value, resolve, reject }));
    if (id !== undefined && this.delivered) {
      this.queuedIds.set(id, result);
      const forget = () => this.queuedIds.delete(id);
      result.then(forget, forget);
    }
    if (this.waiting.length >= this.opts.batchMax) this.lingerWake?.();
    if (!this.pumping) this.pumping = this.pump();
    this.changed();
    return result;
  }

  /**
   * Refuses new items and sends what is queued for up to `timeoutMs`; then rejects the rest with
   * `closed` (an in-flight send that succeeds after that was delivered anyway: at-least-once).
   */
  async close(timeoutMs: number): Promise<{ unsent: number }> {
    this.closing = true;
    this.stats_.closed = true;
    this.lingerWake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const outcome = await Promise.race([this.pumping ?? Promise.resolve(), deadline]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return { unsent: 0 };
    this.wake.abort();
    const left = [...this.batch, ...this.waiting.splice(0)];
    this.batch = [];
    const err = new SinkError('closed', `closed with ${left.length} item(s) not delivered (flush time ${timeoutMs} ms ran out)`);
    for (const entry of left) entry.reject(err);
    this.changed();
    return { unsent: left.length };
  }

  private duplicate(): Promise<PushResult> {
    this.stats_.duplicates += 1;
    return Promise.resolve('duplicate');
  }

  private changed(): void {
    this.emit('change', this.stats());
  }

  /** The one sending loop; it clears `pumping` in the same turn it sees the queue empty, so a
   *  push arriving right after always finds either a running loop or none. */
  private async pump(): Promise<void> {
    try {
      while (this.waiting.length > 0 && !this.wake.signal.aborted) {
        await this.linger();
        this.batch = this.waiting.splice(0, this.opts.batchMax);
        await this.sendUntilSettled();
        this.batch = [];
      }
    } finally {
      this.pumping = undefined;
    }
  }

  /** Waits up to lingerMs for a full batch, unless closing. */
  private async linger(): Promise<void> {
    if (this.opts.lingerMs <= 0 || this.closing || this.waiting.length >= this.opts.batchMax) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.opts.lingerMs);
      const self = this;
      function finish() {
        clearTimeout(timer);
        self.lingerWake = undefined;
        resolve();
      }
      this.lingerWake = finish;
    });
  }

  /** Sends the current batch until every item is accepted or refused for good. */
  private async sendUntilSettled(): Promise<void> {
    let failedAttempts = 0;
    while (this.batch.length > 0 && !this.wake.signal.aborted) {
      const outcomes = await this.trySend(this.batch);
      const retry: Entry<T>[] = [];
      let transient: SinkError | undefined;
      this.batch.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) this.accept(entry);
        else if (outcome.retriable) { retry.push(entry); transient = outcome; }
        else this.refuse(entry, outcome);
      });
      if (this.wake.signal.aborted) return; // close() already rejected what was left
      this.batch = retry;
      if (!transient) { this.stats_.failingAttempts = 0; this.changed(); return; }
      failedAttempts += 1;
      this.stats_.failingAttempts = failedAttempts;
      this.noteError(transient);
      if (failedAttempts >= this.opts.retry.attempts_max) {
        const err = new SinkError('attempts_exhausted', `gave up after ${failedAttempts} tries: ${transient.message}`, { cause: transient });
        for (const entry of this.batch.splice(0)) this.refuse(entry, err);
        return;
      }
      this.changed();
      const sleep = this.opts.sleep ?? abortableSleep;
      await sleep(backoffMs(this.opts.retry, failedAttempts, this.opts.random), this.wake.signal);
    }
  }

  private async trySend(batch: readonly Entry<T>[]): Promise<readonly Outcome[]> {
    try {
      const outcomes = await this.transport.send(batch.map((e) => e.value));
      return outcomes ?? batch.map(() => undefined);
    } catch (err) {
      const classified = isSinkError(err) ? err : (this.transport.classify?.(err) ?? new SinkError('transient', (err as Error)?.message ?? String(err), { cause: err }));
      return batch.map(() => classified);
    }
  }

  private accept(entry: Entry<T>): void {
    if (entry.id !== undefined) this.delivered?.add(entry.id);
    this.stats_.sent += 1;
    this.stats_.lastSentAt = Date.now();
    entry.resolve('sent');
  }

  private refuse(entry: Entry<T>, err: SinkError): void {
    this.stats_.failed += 1;
    this.noteError(err);
    entry.reject(err);
  }

  private noteError(err: SinkError): void {
    this.stats_.lastError = { code: err.code, message: err.message, at: Date.now() };
  }
}
