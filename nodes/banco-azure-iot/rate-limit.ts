/**
 * Keeps the bridge inside the hub tier's quotas (IoT Hub docs, "Quotas and throttling"):
 * - **sends per second**: a token bucket (burst = one second's worth). Past it, sends *wait*:
 *   events stay queued (bounded by the queue size; beyond that new events go to Catch), nothing
 *   is dropped. IoT Hub itself would throttle, then close connections.
 * - **messages per day**: counted as IoT Hub meters them, in 4 KB blocks, per UTC day. Past it,
 *   each further message is refused with a permanent error (to Catch) until 00:00 UTC, as the hub
 *   would refuse it (error 403002, quota exceeded). The count lives in memory: a restart resets it,
 *   so the hub's own meter stays the authority.
 */
import { AZURE_LIMITS } from '../banco-azure-device/limits';

export interface RateLimitOptions {
  sendsPerSecond: number;
  messagesPerDay: number;
  now_ms?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const DAY_MS = 86_400_000;

export class RateLimit {
  private tokens: number;
  private refilledAt: number;
  private day: number;
  private usedToday = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now_ms ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.tokens = opts.sendsPerSecond;
    this.refilledAt = this.now();
    this.day = Math.floor(this.refilledAt / DAY_MS);
  }

  /** Messages counted today (in 4 KB blocks). */
  get used(): number {
    this.rollDay();
    return this.usedToday;
  }

  /** Waits for a send slot. */
  async takeSend(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.opts.sendsPerSecond) * 1000));
    }
  }

  /** Counts a message of `bytes` towards today's quota; false (and nothing counted) when it would pass it. */
  takeDaily(bytes: number): boolean {
    this.rollDay();
    const blocks = Math.max(1, Math.ceil(bytes / AZURE_LIMITS.quota_block_bytes));
    if (this.usedToday + blocks > this.opts.messagesPerDay) return false;
    this.usedToday += blocks;
    return true;
  }

  /** Gives back what `takeDaily` counted for a message that was not delivered (it will be retried). */
  refundDaily(bytes: number): void {
    this.usedToday = Math.max(0, this.usedToday - Math.max(1, Math.ceil(bytes / AZURE_LIMITS.quota_block_bytes)));
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.opts.sendsPerSecond, this.tokens + ((now - this.refilledAt) / 1000) * this.opts.sendsPerSecond);
    this.refilledAt = now;
  }

  private rollDay(): void {
    const day = Math.floor(this.now() / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.usedToday = 0;
    }
  }
}
