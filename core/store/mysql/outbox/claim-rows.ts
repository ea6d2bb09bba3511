/**
 * Claims unsent, unclaimed rows in commit order (core/store/store.ts `claimOutbox`).
 *
 * A plain (non-locking) read sees each finished commit whole or not at all, so every account's
 * rows come in order with none skipped; `FOR UPDATE SKIP LOCKED` skipped the first rows of a
 * commit still holding its locks and took the later ones, so an account's versions went backwards
 * (docs/architecture.md, "Versions"). One UPDATE then claims them, re-checking each is still
 * free; if any was taken meanwhile it claims none, so a claim never leaves a hole. Only the relay
 * leader claims, so no lock is needed to keep claimers apart.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { OutboxRow } from '../../store';
import type { MysqlDb } from '../connection';
import { releaseRows } from './release-rows';

/**
 * The fence: no claim while another instance holds a live leader lease (the server's clock
 * decides, as for the lease itself). A relay that lost its lease during a slow round trip —
 * a stand-by took over and cleared the claims — then claims nothing, instead of publishing
 * older rows after the new leader's newer ones (found by review).
 */
const NOT_LED_BY_ANOTHER = 'NOT EXISTS (SELECT 1 FROM relay_lider WHERE id = 1 AND instancia <> ? AND hasta_ms > ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000))';

const CLAIMABLE = 'SELECT seq, id, topic, qos, retain, payload FROM outbox WHERE enviado_ms IS NULL AND (reclamado_hasta_ms IS NULL OR reclamado_hasta_ms < ?) ORDER BY seq LIMIT ?';

export async function claimRows(db: MysqlDb, owner: string, limit: number, leaseMs: number, nowMs: number): Promise<OutboxRow[]> {
  const free = await db.read<RowDataPacket>(CLAIMABLE, [nowMs, limit]);
  if (free.length === 0) return [];
  const seqs = free.map((r) => Number(r.seq));
  const claimed = await db.change(
    `UPDATE outbox SET reclamado_por = ?, reclamado_hasta_ms = ? WHERE seq IN (?) AND enviado_ms IS NULL AND (reclamado_hasta_ms IS NULL OR reclamado_hasta_ms < ?) AND ${NOT_LED_BY_ANOTHER}`,
    [owner, nowMs + leaseMs, seqs, nowMs, owner],
  );
  if (claimed < seqs.length) {
    // Someone claimed some of them meanwhile, or another instance leads now: taking the rest
    // would leave a hole in the order, so take none.
    await releaseRows(db, owner, seqs);
    return [];
  }
  return free.map((r) => ({ seq: Number(r.seq), id: r.id, topic: r.topic, qos: Number(r.qos) as 0 | 1 | 2, retain: Number(r.retain) === 1, payload: r.payload }));
}
