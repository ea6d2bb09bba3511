/** PIN attempt state on MySQL/MariaDB (CONTRACT §4 PIN lockout; the rule is the ledger's, core/ledger/pin-lock.ts, passed in). */
import type { RowDataPacket } from 'mysql2/promise';
import type { PinEstado } from '../../ledger/types';
import type { PinAttemptRule, PinAttempts } from '../store';
import { isRetriable, toHubError, type MysqlDb } from './connection';

export function mysqlPins(db: MysqlDb): PinAttempts {
  return {
    async getPinState(cedula: string): Promise<PinEstado | null> {
      const rows = await db.read('SELECT c.pin_hash, i.fallos, i.bloqueado_hasta_ms FROM clientes c LEFT JOIN pin_intentos i ON i.cedula = c.cedula WHERE c.cedula = ?', [cedula]);
      const r = rows[0];
      return r ? { pinHash: r.pin_hash ?? null, fallos: r.fallos === null ? 0 : Number(r.fallos), bloqueadoHastaMs: r.bloqueado_hasta_ms === null ? null : Number(r.bloqueado_hasta_ms) } : null;
    },

    /**
     * The row is made to exist first, in its own statement, so the transaction locks one existing
     * row (no gap locks that two processes could deadlock on); a row pruned in between is inserted
     * inside it, and the duplicate-key or deadlock race that may cause runs the attempt again.
     */
    async reservePinAttempt(cedula: string, rule: PinAttemptRule): Promise<{ reserved: boolean; fallos: number }> {
      await db.change('INSERT IGNORE INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms) VALUES (?, 0, NULL, 0)', [cedula]);
      for (let attempt = 0; ; attempt++) {
        try {
          return await reservePinAttemptOnce(db, cedula, rule);
        } catch (err) {
          if (!isRetriable(err) || attempt >= db.retriesMax) throw toHubError(err);
        }
      }
    },

    async resetPinFailures(cedula: string): Promise<void> {
      await db.change('DELETE FROM pin_intentos WHERE cedula = ?', [cedula]);
    },

    prunePinAttempts: (nowMs, limit) => db.change('DELETE FROM pin_intentos WHERE vence_ms < ? ORDER BY vence_ms LIMIT ?', [nowMs, limit]),
  };
}

async function reservePinAttemptOnce(db: MysqlDb, cedula: string, rule: PinAttemptRule): Promise<{ reserved: boolean; fallos: number }> {
  const conn = await db.connection();
  try {
    await conn.query('START TRANSACTION');
    const [rows] = await conn.query<RowDataPacket[]>('SELECT fallos, bloqueado_hasta_ms, vence_ms FROM pin_intentos WHERE cedula = ? FOR UPDATE', [cedula]);
    const r = rows[0];
    const current = r ? { fallos: Number(r.fallos), bloqueadoHastaMs: r.bloqueado_hasta_ms === null ? null : Number(r.bloqueado_hasta_ms), venceMs: Number(r.vence_ms) } : null;
    const { reserved, fallos, write } = rule(current);
    if (write !== null && r) await conn.query('UPDATE pin_intentos SET fallos = ?, bloqueado_hasta_ms = ?, vence_ms = ? WHERE cedula = ?', [write.fallos, write.bloqueadoHastaMs, write.venceMs, cedula]);
    if (write !== null && !r) await conn.query('INSERT INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms) VALUES (?, ?, ?, ?)', [cedula, write.fallos, write.bloqueadoHastaMs, write.venceMs]);
    await conn.query('COMMIT');
    return { reserved, fallos };
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined); // the connection may be gone; the server rolls back then
    throw err;
  } finally {
    conn.release();
  }
}
