/** Claims unsent, unclaimed rows in commit order (core/store/store.ts `claimOutbox`). */
import type Database from 'better-sqlite3';
import type { OutboxQueue } from '../../store';

export function claimRows(db: Database.Database): OutboxQueue['claimOutbox'] {
  // Fenced as on MySQL: nothing is claimed while another instance holds a live leader lease
  // (the lease's clock is this host's, sqlite/relay.ts).
  const claim = db.prepare(
    'UPDATE outbox SET reclamado_por = ?, reclamado_hasta_ms = ? WHERE seq IN (SELECT seq FROM outbox WHERE enviado_ms IS NULL AND (reclamado_hasta_ms IS NULL OR reclamado_hasta_ms < ?) ORDER BY seq LIMIT ?) AND NOT EXISTS (SELECT 1 FROM relay_lider WHERE id = 1 AND instancia <> ? AND hasta_ms > ?)',
  );
  const claimed = db.prepare<[string, number, number], { seq: number; id: string; topic: string; qos: number; retain: number; payload: string }>('SELECT seq, id, topic, qos, retain, payload FROM outbox WHERE enviado_ms IS NULL AND reclamado_por = ? AND reclamado_hasta_ms = ? ORDER BY seq LIMIT ?');
  let lastLeaseEnd = 0;
  const nextLeaseEnd = (candidate: number): number => {
    lastLeaseEnd = Math.max(candidate, lastLeaseEnd + 1);
    return lastLeaseEnd;
  };
  return async (owner, limit, leaseMs, nowMs) =>
    db.transaction(() => {
      // The lease end tells this round's rows from the owner's rounds still in flight.
      const until = nextLeaseEnd(nowMs + leaseMs);
      claim.run(owner, until, nowMs, limit, owner, Date.now());
      return claimed.all(owner, until, limit).map((r) => ({ seq: r.seq, id: r.id, topic: r.topic, qos: r.qos as 0 | 1 | 2, retain: r.retain === 1, payload: r.payload }));
    }).immediate();
}
