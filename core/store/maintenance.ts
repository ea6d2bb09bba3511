/**
 * Keeps the idempotency and PIN-attempt tables bounded: keys older than the retention and expired
 * attempt states are deleted every minute, in passes of PRUNE_ROWS_MAX, for at most
 * PRUNE_BUDGET_MS per run. (Sent outbox rows are pruned by the relay.)
 */
import { formatLegacyTimestamp, type Clock } from '../clock';
import type { Logger } from '../log';
import type { LedgerTransactions, PinAttempts } from './store';

const PRUNE_EVERY_MS = 60_000;
const PRUNE_ROWS_MAX = 1000;
const PRUNE_BUDGET_MS = 200;

export async function pruneIdempotencyKeys(store: Pick<LedgerTransactions, 'pruneIdempotency'>, retentionMs: number, clock: Clock): Promise<number> {
  const cutoff = formatLegacyTimestamp(new Date(clock.now().getTime() - retentionMs));
  const started = Date.now();
  let removed = 0;
  for (;;) {
    const pass = await store.pruneIdempotency(cutoff, PRUNE_ROWS_MAX);
    removed += pass;
    if (pass < PRUNE_ROWS_MAX || Date.now() - started > PRUNE_BUDGET_MS) return removed;
  }
}

/**
 * Deletes expired PIN attempt states (core/ledger/pin-lock.ts): once `vence_ms` passed a row
 * means nothing, so the table holds only the cédulas tried within the last `pin_lock_ms`.
 */
export async function pruneExpiredPinAttempts(store: Pick<PinAttempts, 'prunePinAttempts'>, clock: Clock): Promise<number> {
  const nowMs = clock.now().getTime();
  const started = Date.now();
  let removed = 0;
  for (;;) {
    const pass = await store.prunePinAttempts(nowMs, PRUNE_ROWS_MAX);
    removed += pass;
    if (pass < PRUNE_ROWS_MAX || Date.now() - started > PRUNE_BUDGET_MS) return removed;
  }
}

/** Starts the periodic pruning; the returned function stops it. */
export function startMaintenance(store: Pick<LedgerTransactions, 'pruneIdempotency'> & Pick<PinAttempts, 'prunePinAttempts'>, retentionMs: number, clock: Clock, log: Logger): () => void {
  const timer = setInterval(() => {
    pruneIdempotencyKeys(store, retentionMs, clock).then(
      (removed) => removed > 0 && log.debug('idempotency.pruned', { rows: removed }),
      (err) => log.warn('idempotency.prune_failed', { err }),
    );
    pruneExpiredPinAttempts(store, clock).then(
      (removed) => removed > 0 && log.debug('pin_attempts.pruned', { rows: removed }),
      (err) => log.warn('pin_attempts.prune_failed', { err }),
    );
  }, PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
