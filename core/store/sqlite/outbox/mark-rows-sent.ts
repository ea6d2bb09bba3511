/** Marks rows sent after the broker acknowledged them. */
import type Database from 'better-sqlite3';
import type { OutboxQueue } from '../../store';

export function markRowsSent(db: Database.Database): OutboxQueue['markOutboxSent'] {
  const markSent = db.prepare('UPDATE outbox SET enviado_ms = ? WHERE seq = ?');
  return async (seqs, nowMs) => {
    db.transaction(() => {
      for (const seq of seqs) markSent.run(nowMs, seq);
    }).immediate();
  };
}
