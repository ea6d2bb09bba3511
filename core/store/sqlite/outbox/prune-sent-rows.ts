/** Deletes rows sent before a time, and counts the unsent ones. */
import type Database from 'better-sqlite3';
import type { OutboxQueue } from '../../store';

/** Reads only the rows it deletes, through outbox_enviados (migration 3; plan tested). */
export const SQLITE_PRUNE_OUTBOX = 'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE enviado_ms IS NOT NULL AND enviado_ms < ? ORDER BY enviado_ms LIMIT ?)';

export function pruneSentRows(db: Database.Database): OutboxQueue['pruneOutbox'] {
  const prune = db.prepare(SQLITE_PRUNE_OUTBOX);
  return async (sentBeforeMs, limit) => prune.run(sentBeforeMs, limit).changes;
}

export function countPending(db: Database.Database): OutboxQueue['countOutboxPending'] {
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL');
  return async () => count.get()!.n;
}
