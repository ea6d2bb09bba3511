/** The ledger's part on MySQL/MariaDB: the batch transaction (commit-batch.ts), reads, seeding, key pruning. */
import type { RowDataPacket } from 'mysql2/promise';
import { decimalTextToCents, formatCents } from '../../ledger/money';
import type { Cuenta, Movimiento, TipoMovimiento } from '../../ledger/types';
import type { LedgerTransactions, SeedAccount } from '../store';
import { commitBatch } from './commit-batch';
import type { MysqlDb } from './connection';

/** Walks idempotencia_por_creado (migration 5) in the order it deletes; plan tested. */
export const MYSQL_PRUNE_IDEMPOTENCIA = 'DELETE FROM idempotencia WHERE creado < ? ORDER BY creado LIMIT ?';

export function mysqlLedger(db: MysqlDb): LedgerTransactions {
  return {
    commitBatch: (ops, rules) => commitBatch(db, ops, rules),

    async seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean> {
      const [rows] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM clientes');
      if (Number(rows[0].n) > 0 || accounts.length === 0) return false;
      const values = accounts.map((a) => [a.cedula, a.nombres, a.apellidos, formatCents(a.saldo), fecha, fecha, a.pinHash]);
      await db.pool.query('INSERT IGNORE INTO clientes (cedula, nombres, apellidos, saldo, fecha_registro, ultima_actualizacion, pin_hash) VALUES ?', [values]);
      return true;
    },

    async getAccount(cedula: string): Promise<Cuenta | null> {
      const rows = await db.read('SELECT cedula, nombres, apellidos, saldo FROM clientes WHERE cedula = ?', [cedula]);
      const r = rows[0];
      return r ? { cedula: r.cedula, nombres: r.nombres, apellidos: r.apellidos, saldo: decimalTextToCents(r.saldo) } : null;
    },

    async history(cedula: string, limit: number): Promise<Movimiento[]> {
      const rows = await db.read('SELECT id, tipo, monto, saldo_final, fecha, transaccion_id, contraparte FROM transacciones WHERE cedula = ? ORDER BY id DESC LIMIT ?', [cedula, limit]);
      return rows.map((r) => ({
        id: Number(r.id),
        tipo: r.tipo as TipoMovimiento,
        monto: decimalTextToCents(r.monto),
        saldo_final: decimalTextToCents(r.saldo_final),
        fecha: String(r.fecha),
        transaccion_id: r.transaccion_id ?? null,
        contraparte: r.contraparte ?? null,
      }));
    },

    async countTransactions(): Promise<number> {
      const rows = await db.read('SELECT COUNT(*) AS n FROM transacciones', []);
      return Number(rows[0].n);
    },

    pruneIdempotency: (fecha, limit) => db.change(MYSQL_PRUNE_IDEMPOTENCIA, [fecha, limit]),
  };
}
