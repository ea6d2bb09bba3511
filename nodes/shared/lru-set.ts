/**
 * A set of strings that remembers at most `capacity` entries, forgetting the least recently
 * added first. Map keeps insertion order, so the oldest entry is the first key.
 */
export class LruSet {
  private readonly entries = new Map<string, true>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruSet capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Adds the key (refreshing it if present); returns false when it was already there. */
  add(key: string): boolean {
    const present = this.entries.delete(key);
    this.entries.set(key, true);
    if (this.entries.size > this.capacity) this.evictOldest();
    return !present;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Oldest first, so `load(toArray())` restores the same order. */
  toArray(): string[] {
    return [...this.entries.keys()];
  }

  load(keys: readonly unknown[]): void {
    for (const key of keys) if (typeof key === 'string') this.add(key);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
