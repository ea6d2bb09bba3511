/**
 * MySQL/MariaDB through a mysql2 pool. A batch locks the accounts it touches with one
 * `SELECT … ORDER BY cedula FOR UPDATE` — the same global lock order in every process, so batches
 * from several core processes serialize per account without deadlocking — then writes every
 * change with multi-row statements and commits once. DECIMAL values travel as strings and are
 * converted to cents exactly.
 */
import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { HubError } from '../errors';
import { applyBatch, keysOf, type BatchContext } from '../ledger/apply-batch';
import { uuidv7 } from '../ledger/ids';
import { reservePinAttempt } from '../ledger/pin-lock';
import { decimalTextToCents, formatCents } from '../ledger/money';
import type { Cambios, Cuenta, CuentaVersionada, Instantanea, Movimiento, Operacion, PinEstado, RefGuardada, Resultado, TipoMovimiento } from '../ledger/types';
import { MYSQL_MIGRATIONS } from './mysql-migrations';
import type { LedgerStore, OutboxRow, SeedAccount } from './store';

export interface MysqlStoreOptions {
  url: string;
  connectionsMax: number;
  /** Retries of a batch after a deadlock, lock wait timeout or duplicate-key race. */
  retriesMax: number;
}

/** Server errors after which the whole transaction can simply run again. */
const RETRIABLE_ERRNO = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */, 1062 /* duplicate key race */]);
const MIGRATION_LOCK = 'banco_hub_migraciones';
const CONNECT_TIMEOUT_MS = 10_000;
const MIGRATION_LOCK_WAIT_S = 60;

const isRetriable = (err: unknown): boolean => RETRIABLE_ERRNO.has((err as { errno?: number }).errno ?? 0);

/** Client-side codes of mysql2 and Node's sockets that mean "the server is gone or unreachable". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'POOL_CLOSED', 'ER_SERVER_SHUTDOWN',
]);

/**
 * A lost connection or unreachable server is an operating failure the client may retry;
 * anything else (a bug, a constraint) passes through unchanged and answers INTERNO.
 */
function toHubError(err: unknown): unknown {
  if (err instanceof HubError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  if ((err as { fatal?: unknown }).fatal === true) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  return err;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class MysqlStore implements LedgerStore {
  readonly kind = 'mysql';
  private readonly pool: Pool;

  constructor(private readonly options: MysqlStoreOptions) {
    this.pool = createPool({
      uri: options.url,
      connectionLimit: options.connectionsMax,
      queueLimit: 0,
      dateStrings: true,
      decimalNumbers: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'utf8mb4',
      // A server that does not answer must not hang start-up or shutdown.
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
  }

  async migrate(): Promise<void> {
    const conn = await this.connection();
    try {
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
      conn.release();
    }
  }

  private async connection(): Promise<PoolConnection> {
    try {
      return await this.pool.getConnection();
    } catch (err) {
      throw toHubError(err);
    }
  }

  async seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM clientes');
    if (Number(rows[0].n) > 0 || accounts.length === 0) return false;
    const values = accounts.map((a) => [a.cedula, a.nombres, a.apellidos, formatCents(a.saldo), fecha, fecha, a.pinHash]);
    await this.pool.query('INSERT IGNORE INTO clientes (cedula, nombres, apellidos, saldo, fecha_registro, ultima_actualizacion, pin_hash) VALUES ?', [values]);
    return true;
  }

  async commitBatch(ops: readonly Operacion[], ctx: BatchContext): Promise<Resultado[]> {
    const rules = { ...ctx, newId: () => uuidv7() };
    for (let attempt = 0; ; attempt++) {
      const conn = await this.connection();
      try {
        await conn.query('START TRANSACTION');
        const { resultados, cambios } = applyBatch(await this.snapshot(conn, ops), ops, rules);
        await this.write(conn, cambios);
        await conn.query('COMMIT');
        return resultados;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined); // the connection may be gone; the server rolls back then
        if (isRetriable(err) && attempt >= this.options.retriesMax) throw new HubError('NO_DISPONIBLE', 'Demasiada contención, intente de nuevo', { cause: err, batchWide: true });
        if (!isRetriable(err)) throw toHubError(err);
        await sleep(Math.random() * 2 ** attempt * 4);
      } finally {
        conn.release();
      }
    }
  }

  private async snapshot(conn: PoolConnection, ops: readonly Operacion[]): Promise<Instantanea> {
    const keys = keysOf(ops);
    const cuentas = new Map<string, CuentaVersionada>();
    const refs = new Map<string, RefGuardada>();
    if (keys.cuentas.length > 0) {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT cedula, nombres, apellidos, saldo, version FROM clientes WHERE cedula IN (?) ORDER BY cedula FOR UPDATE', [keys.cuentas]);
      for (const r of rows) cuentas.set(r.cedula, { cedula: r.cedula, nombres: r.nombres, apellidos: r.apellidos, saldo: decimalTextToCents(r.saldo), version: Number(r.version) });
    }
    if (keys.refs.length > 0) {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT ref, huella, resultado FROM idempotencia WHERE ref IN (?)', [keys.refs]);
      for (const r of rows) refs.set(r.ref, { huella: r.huella, resultado: JSON.parse(r.resultado) as Resultado });
    }
    return { cuentas, refs };
  }

  private async write(conn: PoolConnection, c: Cambios): Promise<void> {
    if (c.nuevas.length > 0) {
      const rows = c.nuevas.map((a) => [a.cedula, a.nombres, a.apellidos, formatCents(a.saldo), a.fecha, a.fecha, a.pinHash]);
      await conn.query('INSERT INTO clientes (cedula, nombres, apellidos, saldo, fecha_registro, ultima_actualizacion, pin_hash) VALUES ?', [rows]);
    }
    if (c.saldos.size > 0) {
      const cases = [...c.saldos].map(() => 'WHEN ? THEN ?').join(' ');
      const saldos = [...c.saldos].flatMap(([cedula, v]) => [cedula, formatCents(v.saldo)]);
      const versiones = [...c.saldos].flatMap(([cedula, v]) => [cedula, v.version]);
      await conn.query(`UPDATE clientes SET saldo = CASE cedula ${cases} END, version = CASE cedula ${cases} END WHERE cedula IN (?)`, [...saldos, ...versiones, [...c.saldos.keys()]]);
    }
    if (c.movimientos.length > 0) {
      const rows = c.movimientos.map((m) => [m.cedula, m.tipo, formatCents(m.monto), formatCents(m.saldo_final), m.fecha, m.transaccion_id, m.contraparte]);
      await conn.query('INSERT INTO transacciones (cedula, tipo, monto, saldo_final, fecha, transaccion_id, contraparte) VALUES ?', [rows]);
    }
    if (c.eventos.length > 0) {
      const rows = c.eventos.map((e) => [e.id, e.topic, e.qos, e.retain ? 1 : 0, JSON.stringify(e.payload), c.fecha]);
      await conn.query('INSERT INTO outbox (id, topic, qos, retain, payload, creado) VALUES ?', [rows]);
    }
    if (c.refs.length > 0) {
      const rows = c.refs.map((r) => [r.ref, r.huella, JSON.stringify(r.resultado), c.fecha]);
      await conn.query('INSERT INTO idempotencia (ref, huella, resultado, creado) VALUES ?', [rows]);
    }
  }

  private async read<T extends RowDataPacket>(statement: string, params: unknown[]): Promise<T[]> {
    try {
      const [rows] = await this.pool.query<T[]>(statement, params);
      return rows;
    } catch (err) {
      throw toHubError(err);
    }
  }

  async getAccount(cedula: string): Promise<Cuenta | null> {
    const rows = await this.read('SELECT cedula, nombres, apellidos, saldo FROM clientes WHERE cedula = ?', [cedula]);
    const r = rows[0];
    return r ? { cedula: r.cedula, nombres: r.nombres, apellidos: r.apellidos, saldo: decimalTextToCents(r.saldo) } : null;
  }

  async history(cedula: string, limit: number): Promise<Movimiento[]> {
    const rows = await this.read('SELECT id, tipo, monto, saldo_final, fecha, transaccion_id, contraparte FROM transacciones WHERE cedula = ? ORDER BY id DESC LIMIT ?', [cedula, limit]);
    return rows.map((r) => ({
      id: Number(r.id),
      tipo: r.tipo as TipoMovimiento,
      monto: decimalTextToCents(r.monto),
      saldo_final: decimalTextToCents(r.saldo_final),
      fecha: String(r.fecha),
      transaccion_id: r.transaccion_id ?? null,
      contraparte: r.contraparte ?? null,
    }));
  }

  async countTransactions(): Promise<number> {
    const rows = await this.read('SELECT COUNT(*) AS n FROM transacciones', []);
    return Number(rows[0].n);
  }

  async getPinState(cedula: string): Promise<PinEstado | null> {
    const rows = await this.read('SELECT c.pin_hash, i.fallos, i.bloqueado_hasta_ms FROM clientes c LEFT JOIN pin_intentos i ON i.cedula = c.cedula WHERE c.cedula = ?', [cedula]);
    const r = rows[0];
    return r ? { pinHash: r.pin_hash ?? null, fallos: r.fallos === null ? 0 : Number(r.fallos), bloqueadoHastaMs: r.bloqueado_hasta_ms === null ? null : Number(r.bloqueado_hasta_ms) } : null;
  }

  /**
   * The row is made to exist first, in its own statement, so the transaction locks one existing
   * row (no gap locks that two processes could deadlock on); a row pruned in between is inserted
   * inside it, and the duplicate-key or deadlock race that may cause runs the attempt again.
   */
  async reservePinAttempt(cedula: string, nowMs: number, failuresMax: number, lockUntilMs: number): Promise<{ reserved: boolean; fallos: number }> {
    await this.change('INSERT IGNORE INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms) VALUES (?, 0, NULL, 0)', [cedula]);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reservePinAttemptOnce(cedula, nowMs, failuresMax, lockUntilMs);
      } catch (err) {
        if (!isRetriable(err) || attempt >= this.options.retriesMax) throw toHubError(err);
      }
    }
  }

  private async reservePinAttemptOnce(cedula: string, nowMs: number, failuresMax: number, lockUntilMs: number): Promise<{ reserved: boolean; fallos: number }> {
    const conn = await this.connection();
    try {
      await conn.query('START TRANSACTION');
      const [rows] = await conn.query<RowDataPacket[]>('SELECT fallos, bloqueado_hasta_ms, vence_ms FROM pin_intentos WHERE cedula = ? FOR UPDATE', [cedula]);
      const r = rows[0];
      const current = r ? { fallos: Number(r.fallos), bloqueadoHastaMs: r.bloqueado_hasta_ms === null ? null : Number(r.bloqueado_hasta_ms), venceMs: Number(r.vence_ms) } : null;
      const { reserved, fallos, write } = reservePinAttempt(current, nowMs, failuresMax, lockUntilMs);
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

  async resetPinFailures(cedula: string): Promise<void> {
    await this.change('DELETE FROM pin_intentos WHERE cedula = ?', [cedula]);
  }

  prunePinAttempts(nowMs: number, limit: number): Promise<number> {
    return this.change('DELETE FROM pin_intentos WHERE vence_ms < ? ORDER BY vence_ms LIMIT ?', [nowMs, limit]);
  }

  async claimOutbox(owner: string, limit: number, leaseMs: number, nowMs: number): Promise<OutboxRow[]> {
    const conn = await this.connection();
    try {
      await conn.query('START TRANSACTION');
      // SKIP LOCKED: rows another process is claiming right now are left to it, not waited for.
      const [free] = await conn.query<RowDataPacket[]>(
        'SELECT seq FROM outbox WHERE enviado_ms IS NULL AND (reclamado_hasta_ms IS NULL OR reclamado_hasta_ms < ?) ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED',
        [nowMs, limit],
      );
      const seqs = free.map((r) => Number(r.seq));
      let rows: RowDataPacket[] = [];
      if (seqs.length > 0) {
        await conn.query('UPDATE outbox SET reclamado_por = ?, reclamado_hasta_ms = ? WHERE seq IN (?)', [owner, nowMs + leaseMs, seqs]);
        [rows] = await conn.query<RowDataPacket[]>('SELECT seq, id, topic, qos, retain, payload FROM outbox WHERE seq IN (?) ORDER BY seq', [seqs]);
      }
      await conn.query('COMMIT');
      return rows.map((r) => ({ seq: Number(r.seq), id: r.id, topic: r.topic, qos: Number(r.qos) as 0 | 1 | 2, retain: Number(r.retain) === 1, payload: r.payload }));
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toHubError(err);
    } finally {
      conn.release();
    }
  }

  async markOutboxSent(seqs: readonly number[], nowMs: number): Promise<void> {
    if (seqs.length === 0) return;
    await this.change('UPDATE outbox SET enviado_ms = ? WHERE seq IN (?)', [nowMs, [...seqs]]);
  }

  async releaseOutbox(owner: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.change('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE seq IN (?) AND reclamado_por = ? AND enviado_ms IS NULL', [[...seqs], owner]);
  }

  async resetOutboxClaims(): Promise<number> {
    return this.change('UPDATE outbox SET reclamado_por = NULL, reclamado_hasta_ms = NULL WHERE enviado_ms IS NULL AND reclamado_por IS NOT NULL', []);
  }

  /** The server's clock decides, so core hosts whose clocks disagree still agree on the lease. */
  async acquireRelayLease(instance: string, leaseMs: number): Promise<boolean> {
    const now = 'ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000)';
    // FOUND_ROWS (mysql2's default): a renewal within the same millisecond still counts as held.
    const held = await this.change(`UPDATE relay_lider SET instancia = ?, hasta_ms = ${now} + ? WHERE id = 1 AND (instancia = ? OR hasta_ms < ${now})`, [instance, leaseMs, instance]);
    return held === 1;
  }

  async releaseRelayLease(instance: string): Promise<void> {
    await this.change('UPDATE relay_lider SET hasta_ms = 0 WHERE id = 1 AND instancia = ?', [instance]);
  }

  async countOutboxPending(): Promise<number> {
    const rows = await this.read('SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL', []);
    return Number(rows[0].n);
  }

  /** A statement outside any batch transaction; returns the rows it changed. */
  private async change(statement: string, params: unknown[]): Promise<number> {
    try {
      const [result] = await this.pool.query(statement, params);
      return (result as { affectedRows: number }).affectedRows;
    } catch (err) {
      throw toHubError(err);
    }
  }

  pruneOutbox(sentBeforeMs: number, limit: number): Promise<number> {
    return this.change('DELETE FROM outbox WHERE enviado_ms IS NOT NULL AND enviado_ms < ? ORDER BY seq LIMIT ?', [sentBeforeMs, limit]);
  }

  pruneIdempotency(fecha: string, limit: number): Promise<number> {
    return this.change('DELETE FROM idempotencia WHERE creado < ? LIMIT ?', [fecha, limit]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
