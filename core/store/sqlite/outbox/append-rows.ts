/** The outbox append: a batch's events inserted inside the ledger's transaction (its caller's). */
import type Database from 'better-sqlite3';
import type { Cambios } from '../../../ledger/types';

export function appendRows(db: Database.Database): (eventos: Cambios['eventos'], fecha: string) => void {
  const insertEvent = db.prepare('INSERT INTO outbox (id, topic, qos, retain, payload, creado) VALUES (?, ?, ?, ?, ?, ?)');
  return (eventos, fecha) => {
    for (const e of eventos) insertEvent.run(e.id, e.topic, e.qos, e.retain ? 1 : 0, JSON.stringify(e.payload), fecha);
  };
}
