/**
 * Connections refused at the door (too many in all, or from one address) are logged as one line
 * per interval, not one per connection: a storm of 1,220 refused connections once wrote 1,220
 * lines. The first refusal after a quiet interval is logged at once; the ones after it are
 * counted and summed up in one line when the interval ends.
 */
import type { Logger } from '../log';

/** At most one refusal line per this interval. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** Distinct addresses named in one summary line; the rest are only counted. */
const ADDRESSES_NAMED_MAX = 8;

export class RefusalLog {
  private lastLoggedMs = -Infinity;
  private count = 0;
  private readonly addresses = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private reason = '';

  constructor(private readonly log: Logger, private readonly intervalMs = REFUSAL_LOG_INTERVAL_MS, private readonly nowMs: () => number = Date.now) {}

  note(address: string, reason: string): void {
    if (this.nowMs() - this.lastLoggedMs >= this.intervalMs && this.count === 0) {
      this.lastLoggedMs = this.nowMs();
      this.log.warn('connection.refused', { address, reason });
      return;
    }
    this.count++;
    this.reason = reason;
    if (this.addresses.size < ADDRESSES_NAMED_MAX) this.addresses.add(address);
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastLoggedMs + this.intervalMs - this.nowMs()));
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = null;
    if (this.count === 0) return;
    this.log.warn('connection.refused', { reason: this.reason, refused: this.count, addresses: [...this.addresses], interval_ms: this.intervalMs });
    this.lastLoggedMs = this.nowMs();
    this.count = 0;
    this.addresses.clear();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }
}
