/** Marks rows sent after the broker acknowledged them. */
import type { MysqlDb } from '../connection';

export async function markRowsSent(db: MysqlDb, seqs: readonly number[], nowMs: number): Promise<void> {
  if (seqs.length === 0) return;
  await db.change('UPDATE outbox SET enviado_ms = ? WHERE seq IN (?)', [nowMs, [...seqs]]);
}
