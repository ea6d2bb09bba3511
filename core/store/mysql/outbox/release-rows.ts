/** Gives an owner's claimed rows back, and clears every claim when a new leader starts. */
import type { MysqlDb } from '../connection';

export async function releaseRows(db: MysqlDb, owner: string, seqs: readonly number[]): Promise<void> {
  if (seqs.length === 0) return;
  await db.change('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE seq IN (?) AND reclamado_por = ? AND enviado_ms IS NULL', [[...seqs], owner]);
}

export function resetClaims(db: MysqlDb): Promise<number> {
  return db.change('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE enviado_ms IS NULL AND reclamado_por IS NOT NULL', []);
}
