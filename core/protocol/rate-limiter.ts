/** A token bucket per connection: `ratePerSecond` sustained, `burst` at once. */
export class RateLimiter {
  private tokens: number;
  private lastMs: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly nowMs: () => number = Date.now) {
    this.tokens = burst;
    this.lastMs = nowMs();
  }

  tryTake(): boolean {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.ratePerSecond) / 1000);
    this.lastMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
