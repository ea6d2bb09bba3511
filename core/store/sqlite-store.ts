/**
 * The embedded default: one SQLite file in WAL mode. The ledger's connection (synchronous=FULL)
 * runs the ledger's transaction and the PIN state; the relay's connection (synchronous=NORMAL)
 * the outbox queue and the leader lease. Each part lives in core/store/sqlite/.
 */
import { sqliteLedger, SQLITE_PRUNE_IDEMPOTENCIA } from './sqlite/ledger';
import { migrateSqlite, openSqlite } from './sqlite/open';
import { SQLITE_PRUNE_OUTBOX } from './sqlite/outbox/prune-sent-rows';
import { sqlitePins } from './sqlite/pins';
import { sqliteLease, sqliteOutbox } from './sqlite/relay';
import type { Store } from './store';

/** Pruning statements, each reading only the rows it deletes through an index (test/store/sqlite-store.test.ts checks their plans). */
export const SQLITE_PRUNE = { outbox: SQLITE_PRUNE_OUTBOX, idempotencia: SQLITE_PRUNE_IDEMPOTENCIA } as const;

export function openSqliteStore(file: string): Store {
  const db = openSqlite(file, 'FULL');
  migrateSqlite(db);
  const ledger = sqliteLedger(db);
  const pins = sqlitePins(db);
  const relayDb = openSqlite(file, 'NORMAL');
  return {
    kind: 'sqlite',
    ...ledger,
    ...pins,
    ...sqliteOutbox(relayDb),
    ...sqliteLease(relayDb),
    async migrate(): Promise<void> {
      migrateSqlite(db);
    },
    async close(): Promise<void> {
      if (relayDb.open) relayDb.close();
      if (db.open) db.close();
    },
  };
}
