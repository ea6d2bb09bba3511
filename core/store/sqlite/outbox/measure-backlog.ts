/** How far the relay is behind: unsent rows and when the oldest of them was committed. */
import type Database from 'better-sqlite3';
import type { OutboxQueue } from '../../store';

/** Both through outbox_pendientes (seq WHERE enviado_ms IS NULL): only unsent rows are read. */
const COUNT_UNSENT = 'SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL';
const OLDEST_UNSENT = 'SELECT creado FROM outbox WHERE enviado_ms IS NULL ORDER BY seq LIMIT 1';

export function measureBacklog(db: Database.Database): OutboxQueue['outboxBacklog'] {
  const count = db.prepare<[], { n: number }>(COUNT_UNSENT);
  const oldest = db.prepare<[], { creado: string }>(OLDEST_UNSENT);
  return async () => ({ rows: count.get()!.n, oldestCreado: oldest.get()?.creado ?? null });
}
