/**
 * The outbox backlog as /metrics and /health read it: one store query at a time, reused for
 * `probe_reuse_ms`, given up after `database_probe_timeout_ms` (a stalled database then reads as
 * unreachable instead of hanging the scrape). Concurrent readers share the query in flight.
 */
import type { OutboxBacklog } from '../store/store';
import { METRICS_LIMITS } from './limits';

export class DatabaseProbeTimeout extends Error {
  constructor(ms: number) {
    super(`database did not answer within ${ms} ms`);
  }
}

export class BacklogProbe {
  private last: { atMs: number; value: OutboxBacklog } | null = null;
  private running: Promise<OutboxBacklog> | null = null;

  constructor(
    private readonly query: () => Promise<OutboxBacklog>,
    private readonly timeoutMs: number = METRICS_LIMITS.database_probe_timeout_ms,
    private readonly reuseMs: number = METRICS_LIMITS.probe_reuse_ms,
  ) {}

  read(): Promise<OutboxBacklog> {
    if (this.last !== null && Date.now() - this.last.atMs < this.reuseMs) return Promise.resolve(this.last.value);
    this.running ??= this.probe().finally(() => (this.running = null));
    return this.running;
  }

  private async probe(): Promise<OutboxBacklog> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DatabaseProbeTimeout(this.timeoutMs)), this.timeoutMs);
    });
    try {
      const value = await Promise.race([this.query(), timeout]);
      this.last = { atMs: Date.now(), value };
      return value;
    } finally {
      clearTimeout(timer);
    }
  }
}
