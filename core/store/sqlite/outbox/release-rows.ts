/** Gives an owner's claimed rows back, and clears every claim when a new leader starts. */
import type Database from 'better-sqlite3';
import type { OutboxQueue } from '../../store';

export function releaseRows(db: Database.Database): OutboxQueue['releaseOutbox'] {
  const release = db.prepare('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE seq = ? AND reclamado_por = ? AND enviado_ms IS NULL');
  return async (owner, seqs) => {
    db.transaction(() => {
      for (const seq of seqs) release.run(seq, owner);
    }).immediate();
  };
}

export function resetClaims(db: Database.Database): OutboxQueue['resetOutboxClaims'] {
  const reset = db.prepare('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE enviado_ms IS NULL AND reclamado_por IS NOT NULL');
  return async () => reset.run().changes;
}
