/** Applies pending MySQL migrations under a named server lock: safe from several processes at once. */
import type { RowDataPacket } from 'mysql2/promise';
import { MYSQL_MIGRATIONS } from '../mysql-migrations';
import type { MysqlDb } from './connection';

const MIGRATION_LOCK = 'banco_hub_migraciones';
/** Migrations may wait this long for other sessions' table locks (ALTER TABLE needs them all). */
const MIGRATION_LOCK_WAIT_S = 60;

export async function migrateMysql(db: MysqlDb): Promise<void> {
  const conn = await db.connection();
  try {
    await conn.query('SET SESSION lock_wait_timeout = ?', [MIGRATION_LOCK_WAIT_S]);
    const [locked] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [MIGRATION_LOCK, MIGRATION_LOCK_WAIT_S]);
    if (Number(locked[0].ok) !== 1) throw new Error('timed out waiting for another process to finish migrating the database');
    try {
      await conn.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, aplicado DATETIME NOT NULL) ENGINE=InnoDB');
      const [rows] = await conn.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => Number(r.version)));
      for (const m of MYSQL_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const step of m.steps) await step(conn);
        await conn.query('INSERT INTO schema_migrations (version, aplicado) VALUES (?, NOW())', [m.version]);
      }
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
    }
  } finally {
    conn.destroy(); // its session has the long migration lock wait
  }
}
