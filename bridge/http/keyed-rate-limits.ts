/**
 * Token buckets per key (an IP address, a session id), reusing the core's bucket. The map is
 * bounded (`rate_buckets_max`): past it the least recently used key is forgotten, which only ever
 * gives that key a fresh bucket. Per process: N instances allow N times the rate (docs/bridge.md).
 */
import { RateLimiter } from '../../core/protocol/rate-limiter';
import { BRIDGE_LIMITS } from '../limits';

export class KeyedRateLimits {
  private readonly buckets = new Map<string, RateLimiter>();

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly nowMs: () => number = Date.now) {}

  tryTake(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new RateLimiter(this.ratePerSecond, this.burst, this.nowMs);
      if (this.buckets.size >= BRIDGE_LIMITS.rate_buckets_max) this.buckets.delete(this.buckets.keys().next().value as string);
    } else this.buckets.delete(key);
    this.buckets.set(key, bucket); // most recently used last
    return bucket.tryTake();
  }
}
