/** The relay's side on MySQL/MariaDB: the outbox queue (one file per verb in outbox/) and the leader lease. */
import type { OutboxQueue, RelayLease } from '../store';
import type { MysqlDb } from './connection';
import { claimRows } from './outbox/claim-rows';
import { markRowsSent } from './outbox/mark-rows-sent';
import { measureBacklog } from './outbox/measure-backlog';
import { countPending, pruneSentRows } from './outbox/prune-sent-rows';
import { releaseRows, resetClaims } from './outbox/release-rows';

export function mysqlOutbox(db: MysqlDb): OutboxQueue {
  return {
    claimOutbox: (owner, limit, leaseMs, nowMs) => claimRows(db, owner, limit, leaseMs, nowMs),
    markOutboxSent: (seqs, nowMs) => markRowsSent(db, seqs, nowMs),
    releaseOutbox: (owner, seqs) => releaseRows(db, owner, seqs),
    resetOutboxClaims: () => resetClaims(db),
    countOutboxPending: () => countPending(db),
    outboxBacklog: () => measureBacklog(db),
    pruneOutbox: (sentBeforeMs, limit) => pruneSentRows(db, sentBeforeMs, limit),
  };
}

export function mysqlLease(db: MysqlDb): RelayLease {
  return {
    /** The server's clock decides, so core hosts whose clocks disagree still agree on the lease. */
    async acquireRelayLease(instance: string, leaseMs: number): Promise<boolean> {
      const now = 'ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000)';
      // FOUND_ROWS (mysql2's default): a renewal within the same millisecond still counts as held.
      const held = await db.change(`UPDATE relay_lider SET instancia = ?, hasta_ms = ${now} + ? WHERE id = 1 AND (instancia = ? OR hasta_ms < ${now})`, [instance, leaseMs, instance]);
      return held === 1;
    },
    async releaseRelayLease(instance: string): Promise<void> {
      await db.change('UPDATE relay_lider SET hasta_ms = 0 WHERE id = 1 AND instancia = ?', [instance]);
    },
  };
}
