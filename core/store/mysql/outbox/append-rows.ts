/** The outbox append: a batch's events inserted on the ledger's connection, inside its transaction. */
import type { PoolConnection } from 'mysql2/promise';
import type { Cambios } from '../../../ledger/types';

export async function appendRows(conn: PoolConnection, eventos: Cambios['eventos'], fecha: string): Promise<void> {
  if (eventos.length === 0) return;
  const rows = eventos.map((e) => [e.id, e.topic, e.qos, e.retain ? 1 : 0, JSON.stringify(e.payload), fecha]);
  await conn.query('INSERT INTO outbox (id, topic, qos, retain, payload, creado) VALUES ?', [rows]);
}
