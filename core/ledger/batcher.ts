/**
 * Group commit. Requests queue here; a drain takes up to `batchMax` of them into one database
 * transaction, and each request still gets its own result. Under load a batch fills while the
 * previous one commits, so commits (and their fsyncs) are shared; a lone request commits at once.
 */
import { HubError } from '../errors';
import type { Operacion, Resultado } from './types';

export interface BatcherOptions {
  /** Operations per transaction. */
  batchMax: number;
  /** Waiting operations; past it `submit` refuses with NO_DISPONIBLE. */
  queueMax: number;
  /**
   * An operation still waiting after this long (the database is stalled) is refused with
   * NO_DISPONIBLE before it runs: nothing happened, so a retry is safe.
   */
  queueWaitMaxMs: number;
  /** Transactions in flight at once (1 for SQLite, a few for MySQL). */
  concurrency: number;
}

interface Pending {
  op: Operacion;
  enqueuedMs: number;
  resolve: (r: Resultado) => void;
  reject: (e: unknown) => void;
}

export type CommitFn = (ops: readonly Operacion[]) => Promise<Resultado[]>;

export class Batcher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly commit: CommitFn, private readonly options: BatcherOptions) {}

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  submit(op: Operacion): Promise<Resultado> {
    if (this.queue.length >= this.options.queueMax) return Promise.reject(new HubError('NO_DISPONIBLE', 'Servidor ocupado, intente de nuevo'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, enqueuedMs: performance.now(), resolve, reject });
      this.schedule();
      this.armExpiry();
    });
  }

  /** Resolves when nothing is queued or committing (used at shutdown). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.concurrency) return;
    this.scheduled = true;
    // setImmediate lets every request already read from the sockets join this batch.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    this.expire();
    if (this.pending === 0) this.wakeIdle();
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.queue.splice(0, this.options.batchMax);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight === 0) this.wakeIdle();
      });
    }
  }

  /** The queue is in arrival order: the expired operations are at its head. */
  private expire(): void {
    const oldestMs = performance.now() - this.options.queueWaitMaxMs;
    let expired = 0;
    while (expired < this.queue.length && this.queue[expired].enqueuedMs < oldestMs) expired++;
    for (const p of this.queue.splice(0, expired)) p.reject(new HubError('NO_DISPONIBLE', 'Base de datos ocupada, intente de nuevo'));
  }

  /**
   * While every transaction slot is stalled nothing drains, so the head of the queue is expired
   * by a timer too: a waiting operation is refused after `queueWaitMaxMs`, not when a stalled
   * commit finally ends (found by review).
   */
  private armExpiry(): void {
    if (this.expiryTimer !== null || this.queue.length === 0) return;
    const dueMs = Math.max(0, this.queue[0].enqueuedMs + this.options.queueWaitMaxMs - performance.now()) + 1;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      this.expire();
      if (this.pending === 0) this.wakeIdle();
      this.armExpiry();
    }, dueMs);
    this.expiryTimer.unref();
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const results = await this.commit(batch.map((p) => p.op));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      // One operation must not fail its neighbours: retry them alone, so only the culprit fails.
      if (batch.length > 1 && (!(err instanceof HubError) || err.batchWide)) {
        for (const p of batch) await this.run([p]);
        return;
      }
      for (const p of batch) p.reject(err);
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
