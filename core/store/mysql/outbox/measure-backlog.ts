/** How far the relay is behind: unsent rows and when the oldest of them was committed. */
import type { MysqlDb } from '../connection';

/** One round trip; both walk outbox_pendientes (enviado_ms, seq) over the unsent rows only. */
const BACKLOG =
  'SELECT (SELECT COUNT(*) FROM outbox WHERE enviado_ms IS NULL) AS n, ' +
  '(SELECT creado FROM outbox WHERE enviado_ms IS NULL ORDER BY enviado_ms, seq LIMIT 1) AS oldest';

export async function measureBacklog(db: MysqlDb): Promise<{ rows: number; oldestCreado: string | null }> {
  const rows = await db.read(BACKLOG, []);
  // dateStrings (connection.ts): DATETIME arrives as 'YYYY-MM-DD HH:MM:SS', as it was written.
  const oldest = rows[0].oldest as string | null;
  return { rows: Number(rows[0].n), oldestCreado: oldest === null ? null : String(oldest).slice(0, 19) };
}
