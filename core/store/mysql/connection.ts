/**
 * The MySQL/MariaDB connection pool and the one bounded path every statement takes: a pooled
 * connection within db_acquire_timeout_ms, all work within db_query_timeout_ms, every lock wait
 * within db_lock_wait_s (core/limits.ts). Failures that mean "the database is unavailable"
 * become HubError NO_DISPONIBLE (docs/errors.md).
 */
import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { HubError } from '../../errors';
import { LIMITS, type Limits } from '../../limits';

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

export const isRetriable = (err: unknown): boolean => RETRIABLE_ERRNO.has((err as { errno?: number }).errno ?? 0);

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
export function toHubError(err: unknown): unknown {
  if (err instanceof HubError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  if ((err as { fatal?: unknown }).fatal === true) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  if ((err as { errno?: unknown }).errno === ER_LOCK_WAIT_TIMEOUT) return new HubError('NO_DISPONIBLE', undefined, { cause: err });
  return err;
}

export class MysqlDb {
  readonly pool: Pool;
  readonly retriesMax: number;
  private readonly waits: MysqlWaits;

  constructor(options: MysqlStoreOptions) {
    this.retriesMax = options.retriesMax;
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

  /**
   * A pooled connection within db_acquire_timeout_ms; past the pool's queue bound, at once. Any
   * failure to get one means the database is unavailable to this request.
   */
  async connection(): Promise<PoolConnection> {
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
  async withConnection<T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> {
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

  /** Reads outside batches take the same bounded path: pool wait, statement deadline, lock wait. */
  async read<T extends RowDataPacket>(statement: string, params: unknown[]): Promise<T[]> {
    try {
      return await this.withConnection(async (conn) => (await conn.query<T[]>(statement, params))[0]);
    } catch (err) {
      throw toHubError(err);
    }
  }

  /** A statement outside any batch transaction; returns the rows it changed. */
  async change(statement: string, params: unknown[]): Promise<number> {
    try {
      const [result] = await this.withConnection((conn) => conn.query(statement, params));
      return (result as { affectedRows: number }).affectedRows;
    } catch (err) {
      throw toHubError(err);
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
