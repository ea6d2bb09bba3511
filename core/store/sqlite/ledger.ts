/**
 * The ledger's transaction on SQLite. better-sqlite3 is synchronous, so a batch runs start to
 * commit without yielding; requests arriving meanwhile queue up and form the next batch (group
 * commit). The batch's outbox rows are inserted in the same transaction (the outbox append).
 */
import type Database from 'better-sqlite3';
import { HubError } from '../../errors';
import type { Cambios, Cuenta, CuentaVersionada, Instantanea, Movimiento, Operacion, RefGuardada, Resultado, TipoMovimiento } from '../../ledger/types';
import type { BatchRules, LedgerTransactions, SeedAccount } from '../store';
import { appendRows } from './outbox/append-rows';

/** Reads only the keys it deletes, through idempotencia_por_creado (migration 3; plan tested). */
export const SQLITE_PRUNE_IDEMPOTENCIA = 'DELETE FROM idempotencia WHERE rowid IN (SELECT rowid FROM idempotencia WHERE creado < ? ORDER BY creado LIMIT ?)';

interface AccountRow { cedula: string; nombres: string; apellidos: string; saldo_centavos: number; version: number }
interface HistoryRow { id: number; tipo: TipoMovimiento; monto_centavos: number; saldo_final_centavos: number; fecha: string; transaccion_id: string | null; contraparte: string | null }

function prepare(db: Database.Database) {
  return {
    account: db.prepare<[string], AccountRow>('SELECT cedula, nombres, apellidos, saldo_centavos, version FROM clientes WHERE cedula = ?'),
    ref: db.prepare<[string], { huella: string; resultado: string }>('SELECT huella, resultado FROM idempotencia WHERE ref = ?'),
    insertAccount: db.prepare('INSERT INTO clientes (cedula, nombres, apellidos, saldo_centavos, fecha_registro, ultima_actualizacion, pin_hash) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    setBalance: db.prepare('UPDATE clientes SET saldo_centavos = ?, version = ?, ultima_actualizacion = ? WHERE cedula = ?'),
    insertMovement: db.prepare('INSERT INTO transacciones (cedula, tipo, monto_centavos, saldo_final_centavos, fecha, transaccion_id, contraparte) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertRef: db.prepare('INSERT INTO idempotencia (ref, huella, resultado, creado) VALUES (?, ?, ?, ?)'),
    history: db.prepare<[string, number], HistoryRow>('SELECT id, tipo, monto_centavos, saldo_final_centavos, fecha, transaccion_id, contraparte FROM transacciones WHERE cedula = ? ORDER BY id DESC LIMIT ?'),
    countTransactions: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM transacciones'),
    countAccounts: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clientes'),
    pruneRefs: db.prepare(SQLITE_PRUNE_IDEMPOTENCIA),
  };
}

export function sqliteLedger(db: Database.Database): LedgerTransactions {
  const stmt = prepare(db);
  const appendOutbox = appendRows(db);

  const snapshot = (ops: readonly Operacion[], rules: BatchRules): Instantanea => {
    const keys = rules.keys(ops);
    const cuentas = new Map<string, CuentaVersionada>();
    for (const cedula of keys.cuentas) {
      const row = stmt.account.get(cedula);
      if (row) cuentas.set(cedula, { cedula: row.cedula, nombres: row.nombres, apellidos: row.apellidos, saldo: row.saldo_centavos, version: row.version });
    }
    const refs = new Map<string, RefGuardada>();
    for (const ref of keys.refs) {
      const row = stmt.ref.get(ref);
      if (row) refs.set(ref, { huella: row.huella, resultado: JSON.parse(row.resultado) as Resultado });
    }
    return { cuentas, refs };
  };

  const write = (c: Cambios): void => {
    for (const a of c.nuevas) stmt.insertAccount.run(a.cedula, a.nombres, a.apellidos, a.saldo, a.fecha, a.fecha, a.pinHash);
    for (const [cedula, { saldo, version }] of c.saldos) stmt.setBalance.run(saldo, version, c.fecha, cedula);
    for (const m of c.movimientos) stmt.insertMovement.run(m.cedula, m.tipo, m.monto, m.saldo_final, m.fecha, m.transaccion_id, m.contraparte);
    appendOutbox(c.eventos, c.fecha);
    for (const r of c.refs) stmt.insertRef.run(r.ref, r.huella, JSON.stringify(r.resultado), c.fecha);
  };

  /** One batch: snapshot, rules, writes — wrapped once, run as BEGIN IMMEDIATE … COMMIT. */
  const commitTx = db.transaction((ops: readonly Operacion[], rules: BatchRules): Resultado[] => {
    const { resultados, cambios } = rules.apply(snapshot(ops, rules), ops);
    write(cambios);
    return resultados;
  });

  return {
    async seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean> {
      return db.transaction(() => {
        if (stmt.countAccounts.get()!.n > 0) return false;
        for (const a of accounts) stmt.insertAccount.run(a.cedula, a.nombres, a.apellidos, a.saldo, fecha, fecha, a.pinHash);
        return true;
      }).immediate();
    },

    async commitBatch(ops: readonly Operacion[], rules: BatchRules): Promise<Resultado[]> {
      try {
        return commitTx.immediate(ops, rules);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new HubError('NO_DISPONIBLE', undefined, { cause: err });
        throw err;
      }
    },

    async getAccount(cedula: string): Promise<Cuenta | null> {
      const row = stmt.account.get(cedula);
      return row ? { cedula: row.cedula, nombres: row.nombres, apellidos: row.apellidos, saldo: row.saldo_centavos } : null;
    },

    async history(cedula: string, limit: number): Promise<Movimiento[]> {
      return stmt.history.all(cedula, limit).map((r) => ({
        id: r.id,
        tipo: r.tipo,
        monto: r.monto_centavos,
        saldo_final: r.saldo_final_centavos,
        fecha: r.fecha,
        transaccion_id: r.transaccion_id,
        contraparte: r.contraparte,
      }));
    },

    async countTransactions(): Promise<number> {
      return stmt.countTransactions.get()!.n;
    },

    async pruneIdempotency(fecha: string, limit: number): Promise<number> {
      return stmt.pruneRefs.run(fecha, limit).changes;
    },
  };
}
