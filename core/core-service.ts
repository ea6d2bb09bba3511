/**
 * Assembles the banking core: storage → ledger → TCP server. Every part is passed in or built
 * from the frozen config, so tests start as many cores as they like in one process.
 */
import { formatLegacyTimestamp, systemClock, type Clock } from './clock';
import type { CoreConfig, DatabaseConfig } from './config';
import { ConfigError, HubError } from './errors';
import { demoAccounts } from './ledger/demo';
import { Ledger } from './ledger/ledger';
import { safeUrl, type Logger } from './log';
import type { Estadisticas } from './protocol/context';
import { CoreServer } from './protocol/server';
import { MysqlStore } from './store/mysql-store';
import { SqliteStore } from './store/sqlite-store';
import type { LedgerStore } from './store/store';

export interface CoreService {
  readonly port: number;
  readonly ledger: Ledger;
  readonly store: LedgerStore;
  readonly server: CoreServer;
  stop(): Promise<void>;
}

export interface CoreDeps {
  log: Logger;
  clock?: Clock;
  onEstadisticas?: (stats: Estadisticas) => void;
}

/** Opens and migrates the configured database, or fails with one line saying what to fix. */
export async function openStore(database: DatabaseConfig, config: Pick<CoreConfig, 'dbConnectionsMax' | 'limits'>): Promise<LedgerStore> {
  if (database.kind === 'sqlite') {
    try {
      return new SqliteStore(database.file);
    } catch (err) {
      throw new ConfigError(`cannot open SQLite database ${database.file}: ${(err as Error).message}; check DATABASE_URL / DATA_DIR.`);
    }
  }
  const store = new MysqlStore({ url: database.url, connectionsMax: config.dbConnectionsMax, retriesMax: config.limits.batch_retries_max });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    const cause = err instanceof HubError ? (err.cause as { code?: string; message?: string }) : (err as { code?: string; message?: string });
    throw new ConfigError(`cannot use database ${safeUrl(database.url)}: ${cause?.code ?? cause?.message ?? 'unknown error'}; check DATABASE_URL and that the server is running.`);
  }
}

export function createLedger(store: LedgerStore, config: CoreConfig, clock: Clock = systemClock): Ledger {
  const l = config.limits;
  return new Ledger(store, clock, {
    amountCentsMax: l.amount_cents_max,
    balanceCentsMax: l.balance_cents_max,
    lowBalanceCents: l.low_balance_cents,
    historyRowsMax: l.history_rows_max,
    historyRowsDefault: l.history_rows_default,
    pinFailuresMax: l.pin_failures_max,
    pinLockMs: l.pin_lock_ms,
    batch: { batchMax: l.batch_operations_max, queueMax: l.batch_queue_max, concurrency: config.batchConcurrency },
  });
}

export async function startCore(config: CoreConfig, deps: CoreDeps): Promise<CoreService> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: 'core' });
  const store = await openStore(config.database, config);
  try {
    if (config.seedDemo && (await store.seedIfEmpty(await demoAccounts(), formatLegacyTimestamp(clock.now())))) log.info('demo.seeded', { accounts: 6 });
    const ledger = createLedger(store, config, clock);
    const server = new CoreServer(ledger, { host: config.host, port: config.corePort, legacyText: config.legacyText, coreToken: config.coreToken, limits: config.limits, log, onEstadisticas: deps.onEstadisticas });
    const port = await server.listen();
    log.info('core.listening', { host: config.host, port, storage: store.kind, legacyText: config.legacyText, auth: config.coreToken !== null });
    return {
      port,
      ledger,
      store,
      server,
      async stop() {
        await server.close();
        await ledger.idle();
        await store.close();
        log.info('core.stopped', {});
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
