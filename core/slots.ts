/**
 * A FIFO counting semaphore: at most `count` holders at once, a released slot passes straight to
 * the next waiter. With `waitingMax`, a caller past that many waiters is refused with `refuse()`
 * instead of queued, so the wait list is bounded too. Used for the process-wide PIN hashing
 * bound (core/ledger/pin.ts) and the publisher's QoS 2 messages in flight (core/outbox/mqtt-publisher.ts).
 */
export class Slots {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(count: number, private readonly waitingMax = Infinity, private readonly refuse: () => Error = () => new Error('too many waiting')) {
    this.free = count;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.waitingMax) return Promise.reject(this.refuse());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }

  /** Runs `work` holding a slot. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
