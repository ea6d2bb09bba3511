/** PIN attempt state on SQLite (CONTRACT §4 PIN lockout; the rule is the ledger's, core/ledger/pin-lock.ts, passed in). */
import type Database from 'better-sqlite3';
import type { PinEstado } from '../../ledger/types';
import type { PinAttemptRule, PinAttempts } from '../store';

function prepare(db: Database.Database) {
  return {
    pinState: db.prepare<[string], { pin_hash: string | null; fallos: number | null; bloqueado_hasta_ms: number | null }>(
      'SELECT c.pin_hash, i.fallos, i.bloqueado_hasta_ms FROM clientes c LEFT JOIN pin_intentos i ON i.cedula = c.cedula WHERE c.cedula = ?',
    ),
    pinAttempts: db.prepare<[string], { fallos: number; bloqueado_hasta_ms: number | null; vence_ms: number }>('SELECT fallos, bloqueado_hasta_ms, vence_ms FROM pin_intentos WHERE cedula = ?'),
    pinReserve: db.prepare(
      'INSERT INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms) VALUES (?, ?, ?, ?) ON CONFLICT (cedula) DO UPDATE SET fallos = excluded.fallos, bloqueado_hasta_ms = excluded.bloqueado_hasta_ms, vence_ms = excluded.vence_ms',
    ),
    pinPrune: db.prepare('DELETE FROM pin_intentos WHERE rowid IN (SELECT rowid FROM pin_intentos WHERE vence_ms < ? LIMIT ?)'),
    pinReset: db.prepare('DELETE FROM pin_intentos WHERE cedula = ?'),
  };
}

export function sqlitePins(db: Database.Database): PinAttempts {
  const stmt = prepare(db);
  return {
    async getPinState(cedula: string): Promise<PinEstado | null> {
      const row = stmt.pinState.get(cedula);
      return row ? { pinHash: row.pin_hash, fallos: row.fallos ?? 0, bloqueadoHastaMs: row.bloqueado_hasta_ms } : null;
    },

    async reservePinAttempt(cedula: string, rule: PinAttemptRule): Promise<{ reserved: boolean; fallos: number }> {
      return db.transaction(() => {
        const row = stmt.pinAttempts.get(cedula);
        const current = row ? { fallos: row.fallos, bloqueadoHastaMs: row.bloqueado_hasta_ms, venceMs: row.vence_ms } : null;
        const { reserved, fallos, write } = rule(current);
        if (write !== null) stmt.pinReserve.run(cedula, write.fallos, write.bloqueadoHastaMs, write.venceMs);
        return { reserved, fallos };
      }).immediate();
    },

    async resetPinFailures(cedula: string): Promise<void> {
      stmt.pinReset.run(cedula);
    },

    async prunePinAttempts(nowMs: number, limit: number): Promise<number> {
      return stmt.pinPrune.run(nowMs, limit).changes;
    },
  };
}
