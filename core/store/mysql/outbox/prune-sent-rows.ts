/** Deletes rows sent before a time, and counts the unsent ones. */
import type { MysqlDb } from '../connection';

/** Walks outbox_pendientes (it starts with enviado_ms) in the order it deletes; plan tested. */
export const MYSQL_PRUNE_OUTBOX = 'DELETE FROM outbox WHERE enviado_ms IS NOT NULL AND enviado_ms < ? ORDER BY enviado_ms LIMIT ?';

export function pruneSentRows(db: MysqlDb, sentBeforeMs: number, limit: number): Promise<number> {
  return db.change(MYSQL_PRUNE_OUTBOX, [sentBeforeMs, limit]);
}

export async function countPending(db: MysqlDb): Promise<number> {
  const rows = await db.read('SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL', []);
  return Number(rows[0].n);
}
