/**
 * MySQL/MariaDB through a mysql2 pool. A batch locks the accounts it touches with one
 * `SELECT … ORDER BY cedula FOR UPDATE` — the same global lock order in every process, so batches
 * from several core processes serialize per account without deadlocking — then writes every
 * change with multi-row statements and commits once. DECIMAL values travel as strings and are
 * converted to cents exactly.
 */
import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { HubError } from '../errors';
import { LIMITS, type Limits } from '../limits';
import { reservePinAttempt } from '../ledger/pin-lock';
import { decimalTextToCents, formatCents } from '../ledger/money';
import type { Cambios, Cuenta, CuentaVersionada, Instantanea, Movimiento, Operacion, PinEstado, RefGuardada, Resultado, TipoMovimiento } from '../ledger/types';
import { commitMarker, lookUpCommit, outcomeUnknown } from './mysql-lost-commit';
import { MYSQL_MIGRATIONS } from './mysql-migrations';
import type { BatchRules, OutboxRow, SeedAccount, Store } from './store';

export interface MysqlStoreOptions {
  url: string;
  connectionsMax: number;
  /** Retries of a batch after a deadlock or duplicate-key race. */
  retriesMax: number;
  /** Bounds of every wait on the server (core/limits.ts); LIMITS when not given. */
  waits?: MysqlWaits;
}

export type MysqlWaits = Pick<Limits, 'db_lock_wait_s' | 'db_query_timeout_ms' | 'db_connect_timeout_ms' | 'db_acquire_timeout_ms' | 'db_pool_queue_max'>;

/**
 * Server errors after which the whole transaction can simply run again. Not a lock wait timeout
 * (1205): the lock was held past `db_lock_wait_s`, the server is stalled, and waiting again (and
 * once per operation of the batch) would turn a bounded wait into a hang.
 */
const RETRIABLE_ERRNO = new Set([1213 /* deadlock */, 1062 /* duplicate key race */]);
const ER_LOCK_WAIT_TIMEOUT = 1205;
const MIGRATION_LOCK = 'banco_hub_migraciones';
/** Migrations may wait this long for other sessions' table locks (ALTER TABLE needs them all). */
const MIGRATION_LOCK_WAIT_S = 60;

const isRetriable = (err: unknown): boolean => RETRIABLE_ERRNO.has((err as { errno?: number }).errno ?? 0);

/** Code of our own deadline error: the server did not answer within `db_query_timeout_ms`. */
const DEADLINE_CODE = 'BANCO_DB_DEADLINE';

/** Rejects when `promise` has not settled within `ms`; the caller then drops the connection. */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer from the database within ${ms} ms`), { code: DEADLINE_CODE })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The connection cannot be trusted any more: a statement may still be running on it, or it is gone. */
function isBroken(err: unknown): boolean {
  const { code, fatal } = err as { code?: unknown; fatal?: unknown };
  return fatal === true || code === DEADLINE_CODE || (typeof code === 'string' && UNAVAILABLE_CODES.has(code));
}

/** Client-side codes of mysql2 and Node's sockets that mean "the server is gone or unreachable". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'POOL_CLOSED', 'ER_SERVER_SHUTDOWN',
  DEADLINE_CODE,
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
  if ((err as { errno?: unknown }).errno === ER_LOCK_WAIT_TIMEOUT) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  return err;
}

/**
 * Pruning statements, each walking an index in the order it deletes (outbox_pendientes starts
 * with enviado_ms; idempotencia_por_creado is migration 5). test/store/mysql-store.test.ts checks
 * their plans.
 */
export const MYSQL_PRUNE = {
  outbox: 'DELETE FROM outbox WHERE enviado_ms IS NOT NULL AND enviado_ms < ? ORDER BY enviado_ms LIMIT ?',
  idempotencia: 'DELETE FROM idempotencia WHERE creado < ? ORDER BY creado LIMIT ?',
} as const;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What commitBatch knows of one attempt, kept for the case its COMMIT is lost. */
interface Attempt {
  threadId: number | null;
  resultados: Resultado[];
  cambios: Cambios | null;
  committing: boolean;
}

export class MysqlStore implements Store {
  readonly kind = 'mysql';
  private readonly pool: Pool;
  private readonly waits: MysqlWaits;

  constructor(private readonly options: MysqlStoreOptions) {
    this.waits = options.waits ?? LIMITS;
    this.pool = createPool({
      uri: options.url,
      connectionLimit: options.connectionsMax,
      queueLimit: this.waits.db_pool_queue_max,
      dateStrings: true,
      decimalNumbers: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'utf8mb4',
      // A server that does not answer must not hang start-up or shutdown.
      connectTimeout: this.waits.db_connect_timeout_ms,
    });
    // Every session waits for a lock at most db_lock_wait_s, on rows (InnoDB) and on tables and
    // metadata (e.g. behind FLUSH TABLES WITH READ LOCK, whose default wait is a day or a year).
    // Queued before the first statement the pool hands out on this connection.
    // (The core pool: its event hands out the callback-style connection.)
    this.pool.pool.on('connection', (conn) => {
      const wait = this.waits.db_lock_wait_s;
      conn.query(`SET SESSION innodb_lock_wait_timeout = ${wait}, lock_wait_timeout = ${wait}`, (err) => {
        if (err) conn.destroy(); // the statement queued behind it then fails at its deadline
      });
    });
  }

  async migrate(): Promise<void> {
    const conn = await this.connection();
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

  /**
   * A pooled connection within db_acquire_timeout_ms; past the pool's queue bound, at once. Any
   * failure to get one means the database is unavailable to this request.
   */
  private async connection(): Promise<PoolConnection> {
    const pending = this.pool.getConnection();
    try {
      return await withDeadline(pending, this.waits.db_acquire_timeout_ms, 'pool');
    } catch (err) {
      // One that arrives after the deadline goes straight back; a late failure was already reported.
      pending.then((late) => late.release(), () => undefined);
      throw err instanceof HubError ? err : new HubError('NO_DISPONIBLE', undefined, { cause: err });
    }
  }

  /**
   * Runs `work` on one connection, all of it within db_query_timeout_ms. On failure the open
   * transaction is rolled back, or — when the connection is broken or may still be running a
   * statement — the connection is dropped (the server then rolls back itself).
   */
  private async withConnection<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.connection();
    try {
      const result = await withDeadline(work(conn), this.waits.db_query_timeout_ms, 'statement');
      conn.release();
      return result;
    } catch (err) {
      await this.discard(conn, err);
      throw err;
    }
  }

  private async discard(conn: PoolConnection, err: unknown): Promise<void> {
    if (isBroken(err)) {
      conn.destroy();
      return;
    }
    try {
      await withDeadline(conn.query('ROLLBACK'), this.waits.db_query_timeout_ms, 'rollback');
      conn.release();
    } catch (rollbackErr) {
      if (!isBroken(rollbackErr)) throw rollbackErr;
      conn.destroy();
    }
  }

  async seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM clientes');
    if (Number(rows[0].n) > 0 || accounts.length === 0) return false;
    const values = accounts.map((a) => [a.cedula, a.nombres, a.apellidos, formatCents(a.saldo), fecha, fecha, a.pinHash]);
    await this.pool.query('INSERT IGNORE INTO clientes (cedula, nombres, apellidos, saldo, fecha_registro, ultima_actualizacion, pin_hash) VALUES ?', [values]);
    return true;
  }

  async commitBatch(ops: readonly Operacion[], rules: BatchRules): Promise<Resultado[]> {
    for (let retry = 0; ; retry++) {
      const attempt: Attempt = { threadId: null, resultados: [], cambios: null, committing: false };
      try {
        return await this.withConnection((conn) => this.transaction(conn, ops, rules, attempt));
      } catch (err) {
        if (attempt.committing) return this.resolveLostCommit(attempt, err);
        if (isRetriable(err) && retry >= this.options.retriesMax) throw new HubError('NO_DISPONIBLE', 'Demasiada contención, intente de nuevo', { cause: err, batchWide: true });
        if (!isRetriable(err)) throw toHubError(err);
        await sleep(Math.random() * 2 ** retry * 4);
      }
    }
  }

  private async transaction(conn: PoolConnection, ops: readonly Operacion[], rules: BatchRules, attempt: Attempt): Promise<Resultado[]> {
    attempt.threadId = conn.threadId;
    await conn.query('START TRANSACTION');
    const { resultados, cambios } = rules.apply(await this.snapshot(conn, ops, rules), ops);
    await this.write(conn, cambios);
    Object.assign(attempt, { resultados, cambios, committing: true });
    await conn.query('COMMIT');
    return resultados;
  }

  /**
   * COMMIT failed without a clear answer: committed → the batch's real results; not committed →
   * NO_DISPONIBLE (a retry is safe); cannot tell → RESULTADO_INCIERTO, never "try again".
   */
  private async resolveLostCommit(attempt: Attempt, lost: unknown): Promise<Resultado[]> {
    const marker = attempt.cambios && commitMarker(attempt.cambios);
    if (!marker) return attempt.resultados; // nothing written: the answers hold either way
    let committed: boolean;
    try {
      committed = await this.withConnection((conn) => lookUpCommit(conn, marker, attempt.threadId));
    } catch (lookUp) {
      throw outcomeUnknown(lost, lookUp);
    }
    if (committed) return attempt.resultados;
    throw new HubError('NO_DISPONIBLE', undefined, { cause: lost });
  }

  private async snapshot(conn: PoolConnection, ops: readonly Operacion[], rules: BatchRules): Promise<Instantanea> {
    const keys = rules.keys(ops);
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

  /** Reads outside batches take the same bounded path: pool wait, statement deadline, lock wait. */
  private async read<T extends RowDataPacket>(statement: string, params: unknown[]): Promise<T[]> {
    try {
      return await this.withConnection(async (conn) => (await conn.query<T[]>(statement, params))[0]);
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
      const [result] = await this.withConnection((conn) => conn.query(statement, params));
      return (result as { affectedRows: number }).affectedRows;
    } catch (err) {
      throw toHubError(err);
    }
  }

  pruneOutbox(sentBeforeMs: number, limit: number): Promise<number> {
    return this.change(MYSQL_PRUNE.outbox, [sentBeforeMs, limit]);
  }

  pruneIdempotency(fecha: string, limit: number): Promise<number> {
    return this.change(MYSQL_PRUNE.idempotencia, [fecha, limit]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
