/**
 * MySQL/MariaDB through one mysql2 pool (core/store/mysql/connection.ts), every wait bounded.
 * Each part lives in core/store/mysql/: the ledger's transaction (commit-batch.ts), PIN state,
 * the outbox verbs and the relay lease.
 */
import { MysqlDb, type MysqlStoreOptions } from './mysql/connection';
import { mysqlLedger, MYSQL_PRUNE_IDEMPOTENCIA } from './mysql/ledger';
import { migrateMysql } from './mysql/migrate';
import { MYSQL_PRUNE_OUTBOX } from './mysql/outbox/prune-sent-rows';
import { mysqlPins } from './mysql/pins';
import { mysqlLease, mysqlOutbox } from './mysql/relay';
import type { Store } from './store';

export type { MysqlStoreOptions, MysqlWaits } from './mysql/connection';

/** Pruning statements, each walking an index in the order it deletes (test/store/mysql-store.test.ts checks their plans). */
export const MYSQL_PRUNE = { outbox: MYSQL_PRUNE_OUTBOX, idempotencia: MYSQL_PRUNE_IDEMPOTENCIA } as const;

/** Opens the pool (no connection yet); call `migrate()` before use. */
export function openMysqlStore(options: MysqlStoreOptions): Store {
  const db = new MysqlDb(options);
  return {
    kind: 'mysql',
    ...mysqlLedger(db),
    ...mysqlPins(db),
    ...mysqlOutbox(db),
    ...mysqlLease(db),
    migrate: () => migrateMysql(db),
    close: () => db.end(),
  };
}
