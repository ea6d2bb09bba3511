/** Claims unsent, unclaimed rows in commit order (core/store/store.ts `claimOutbox`). */
import type { RowDataPacket } from 'mysql2/promise';
import type { OutboxRow } from '../../store';
import { toHubError, type MysqlDb } from '../connection';

export async function claimRows(db: MysqlDb, owner: string, limit: number, leaseMs: number, nowMs: number): Promise<OutboxRow[]> {
  const conn = await db.connection();
  try {
    await conn.query('START TRANSACTION');
    // SKIP LOCKED: rows another process is claiming right now are left to it, not waited for.
    const [free] = await conn.query<RowDataPacket[]>(
      'SELECT seq FROM outbox WHERE enviado_ms IS NULL AND (reclamado_hasta_ms IS NULL OR reclamado_hasta_ms < ?) ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED',
      [nowMs, limit],
    );
    const seqs = free.map((r) => Number(r.seq));
    let rows: RowDataPacket[] = [];
    if (seqs.length > 0) {
      await conn.query('UPDATE outbox SET reclamado_por = ?, reclamado_hasta_ms = ? WHERE seq IN (?)', [owner, nowMs + leaseMs, seqs]);
      [rows] = await conn.query<RowDataPacket[]>('SELECT seq, id, topic, qos, retain, payload FROM outbox WHERE seq IN (?) ORDER BY seq', [seqs]);
    }
    await conn.query('COMMIT');
    return rows.map((r) => ({ seq: Number(r.seq), id: r.id, topic: r.topic, qos: Number(r.qos) as 0 | 1 | 2, retain: Number(r.retain) === 1, payload: r.payload }));
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw toHubError(err);
  } finally {
    conn.release();
  }
}
