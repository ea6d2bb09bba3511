/**
 * The relay's side on SQLite: the outbox queue and the leader lease, on the relay's own
 * connection with synchronous=NORMAL. Claiming and marking rows sent need not wait for an fsync:
 * if the machine loses a "sent" mark, the row is only published again (at-least-once), and a
 * lost claim is no claim. Money movements keep synchronous=FULL (core/store/sqlite/ledger.ts).
 */
import type Database from 'better-sqlite3';
import type { OutboxQueue, RelayLease } from '../store';
import { claimRows } from './outbox/claim-rows';
import { markRowsSent } from './outbox/mark-rows-sent';
import { measureBacklog } from './outbox/measure-backlog';
import { countPending, pruneSentRows } from './outbox/prune-sent-rows';
import { releaseRows, resetClaims } from './outbox/release-rows';

export function sqliteOutbox(db: Database.Database): OutboxQueue {
  return {
    claimOutbox: claimRows(db),
    markOutboxSent: markRowsSent(db),
    releaseOutbox: releaseRows(db),
    resetOutboxClaims: resetClaims(db),
    countOutboxPending: countPending(db),
    outboxBacklog: measureBacklog(db),
    pruneOutbox: pruneSentRows(db),
  };
}

export function sqliteLease(db: Database.Database): RelayLease {
  const acquireLease = db.prepare('UPDATE relay_lider SET instancia = ?, hasta_ms = ? WHERE id = 1 AND (instancia = ? OR hasta_ms < ?)');
  const releaseLease = db.prepare('UPDATE relay_lider SET hasta_ms = 0 WHERE id = 1 AND instancia = ?');
  return {
    /** One file on one host: the host's clock is the store's clock. */
    async acquireRelayLease(instance: string, leaseMs: number): Promise<boolean> {
      const nowMs = Date.now();
      return acquireLease.run(instance, nowMs + leaseMs, instance, nowMs).changes === 1;
    },
    async releaseRelayLease(instance: string): Promise<void> {
      releaseLease.run(instance);
    },
  };
}
