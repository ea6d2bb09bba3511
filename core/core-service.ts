/**
 * Assembles the banking core: storage → ledger → TCP server. Every part is passed in or built
 * from the frozen config, so tests start as many cores as they like in one process.
 */
import { randomUUID } from 'node:crypto';
import { formatLegacyTimestamp, systemClock, type Clock } from './clock';
import type { CoreConfig, DatabaseConfig } from './config';
import { ConfigError, HubError } from './errors';
import { demoAccounts } from './ledger/demo';
import { Ledger } from './ledger/ledger';
import { safeUrl, type Logger } from './log';
import type { Estadisticas } from './protocol/context';
import { CoreServer } from './protocol/server';
import { BacklogProbe, checkHealth, CoreMetrics, meteredPublisher, METRICS_LIMITS, startMetricsServer, type HealthReport, type MetricsConfig, type MetricsServer } from './metrics';
import { MqttPublisher } from './outbox/mqtt-publisher';
import { LeaderLease } from './outbox/leader-lease';
import { OutboxRelay } from './outbox/relay';
import { openMysqlStore } from './store/mysql-store';
import { openSqliteStore } from './store/sqlite-store';
import { startMaintenance } from './store/maintenance';
import type { Resultado } from './ledger/types';
import type { Store } from './store/store';

export interface CoreService {
  readonly port: number;
  readonly ledger: Ledger;
  readonly store: Store;
  readonly server: CoreServer;
  readonly relay: OutboxRelay | null;
  /** This process's Prometheus registry and figures (docs/metrics.md). */
  readonly metrics: CoreMetrics;
  /** The health and metrics listener's port; null when none was asked for. */
  readonly metricsPort: number | null;
  /** The /health report now. */
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

export interface CoreDeps {
  log: Logger;
  clock?: Clock;
  onEstadisticas?: (stats: Estadisticas) => void;
  /** The health and metrics listener (core/metrics/config.ts); absent or null: none (tests). */
  metrics?: MetricsConfig | null;
}

/** Opens and migrates the configured database, or fails with one line saying what to fix. */
export async function openStore(database: DatabaseConfig, config: Pick<CoreConfig, 'dbConnectionsMax' | 'limits'>): Promise<Store> {
  if (database.kind === 'sqlite') {
    try {
      return openSqliteStore(database.file);
    } catch (err) {
      throw new ConfigError(`cannot open SQLite database ${database.file}: ${(err as Error).message}; check DATABASE_URL / DATA_DIR.`);
    }
  }
  const store = openMysqlStore({ url: database.url, connectionsMax: config.dbConnectionsMax, retriesMax: config.limits.batch_retries_max, waits: config.limits });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    const cause = err instanceof HubError ? (err.cause as { code?: string; message?: string }) : (err as { code?: string; message?: string });
    throw new ConfigError(`cannot use database ${safeUrl(database.url)}: ${cause?.code ?? cause?.message ?? 'unknown error'}; check DATABASE_URL and that the server is running.`);
  }
}

export function createLedger(store: Store, config: CoreConfig, clock: Clock = systemClock, onCommitted?: (results: readonly Resultado[]) => void): Ledger {
  const l = config.limits;
  return new Ledger(store, clock, {
    amountCentsMax: l.amount_cents_max,
    balanceCentsMax: l.balance_cents_max,
    lowBalanceCents: l.low_balance_cents,
    historyRowsMax: l.history_rows_max,
    historyRowsDefault: l.history_rows_default,
    pinFailuresMax: l.pin_failures_max,
    pinLockMs: l.pin_lock_ms,
    pinChecksWaitingMax: l.pin_checks_waiting_max,
    batch: { batchMax: l.batch_operations_max, queueMax: l.batch_queue_max, queueWaitMaxMs: l.batch_queue_wait_ms, concurrency: config.batchConcurrency },
    onCommitted,
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Fault injection (BANCO_FAULTS): die the hard way, as a power cut or `kill -9` would. */
function crashNow(): void {
  process.kill(process.pid, 'SIGKILL');
}

/**
 * How long shutdown keeps publishing pending outbox rows before leaving them for the next start
 * (they stay in the outbox: nothing is lost). Part of the shutdown budget (hub/limits.ts).
 */
const OUTBOX_FLUSH_MS = 2000;
const PUBLISH_TIMEOUT_MS = 10_000;

interface EventBus {
  publisher: MqttPublisher;
  relay: OutboxRelay;
  leadership: LeaderLease;
}

async function startEventBus(store: Store, config: CoreConfig, clock: Clock, log: Logger, metrics: CoreMetrics): Promise<EventBus | null> {
  const bus = config.eventBus;
  if (bus === null) return null;
  const publisher = new MqttPublisher({ instanceId: bus.instanceId, url: bus.url, username: bus.username, password: bus.password, topicPrefix: bus.topicPrefix, connectTimeoutMs: 5000, reconnectMs: 1000 }, log.child({ component: 'mqtt' }));
  await publisher.connect();
  // One relaying process per database (CONTRACT §5 per-account order); the others stand by.
  const leadership = new LeaderLease(store, { instance: bus.instanceId, leaseMs: bus.relayLeaderLeaseMs, heartbeatMs: bus.relayHeartbeatMs }, log.child({ component: 'relay' }));
  const relay = new OutboxRelay(
    store,
    meteredPublisher(publisher, (qos, seconds) => metrics.observePublish(qos, seconds)),
    {
      // Stable across restarts and bounded: a restarted instance takes back its own claims.
      owner: bus.instanceId,
      topicPrefix: bus.topicPrefix,
      batchMax: bus.relayBatchMax,
      leaseMs: bus.relayLeaseMs,
      pollMs: bus.relayPollMs,
      // Below the lease, so a slow ack cannot outlive the claim and let another relay resend.
      publishTimeoutMs: Math.min(PUBLISH_TIMEOUT_MS, Math.floor(bus.relayLeaseMs / 2)),
      retentionMs: bus.outboxRetentionMs,
      afterPublish: config.faults.has('crash-after-publish') ? crashNow : undefined,
    },
    clock,
    log.child({ component: 'relay' }),
    leadership,
  );
  return { publisher, relay, leadership };
}

/** Leads (or stands by) and relays; only once the core listens, so a duplicate instance fails on its port first. */
async function runEventBus(bus: EventBus): Promise<void> {
  await bus.leadership.start();
  bus.relay.start();
}

/** After the flush, how long the relay's rounds in flight may still wait for the broker's acks at shutdown. */
const RELAY_ROUNDS_WAIT_MS = 500;

const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> => Promise.race([promise.then(() => true), delay(ms).then(() => false)]);

/**
 * Bounded (hub/limits.ts `shutdown_deadline_ms`): a broker that stopped answering (frozen, network
 * gone with the socket open) would hold the rounds in flight for the publish timeout (10 s); it is
 * cut off instead. Their rows stay unsent in the outbox and go out after the next start.
 */
async function stopEventBus(bus: EventBus, flushMs: number, log: Logger): Promise<void> {
  const stopped = bus.relay.stop(flushMs);
  if (!(await settlesWithin(stopped, flushMs + RELAY_ROUNDS_WAIT_MS))) {
    log.warn('relay.broker_not_answering_at_shutdown', { waitedMs: flushMs + RELAY_ROUNDS_WAIT_MS });
    await bus.publisher.close(true);
    await settlesWithin(stopped, RELAY_ROUNDS_WAIT_MS);
  }
  await bus.leadership.stop();
  await bus.publisher.close();
}

/**
 * Connects the scrape-time gauges and /health to the running core: one backlog probe for both
 * (bounded and reused, core/metrics/backlog-probe.ts). Returns the health report function.
 */
function observe(metrics: CoreMetrics, core: { store: Store; server: CoreServer; bus: EventBus | null; stopping: () => boolean; readyBacklogMax?: number }): () => Promise<HealthReport> {
  const probe = new BacklogProbe(() => core.store.outboxBacklog());
  const { bus } = core;
  const brokerConnected = (): boolean | null => (bus ? bus.publisher.connected : null);
  metrics.attach({
    backlog: () => probe.read(),
    connections: () => core.server.connectionStats().clientes_conectados,
    brokerConnected,
    relayLeader: () => (bus ? bus.leadership.isLeader : null),
  });
  const outboxBacklogReadyMax = core.readyBacklogMax ?? METRICS_LIMITS.outbox_backlog_ready_max;
  return () => checkHealth({ backlog: () => probe.read(), brokerConnected, ageSeconds: (b) => metrics.ageSeconds(b), stopping: core.stopping, outboxBacklogReadyMax });
}

export async function startCore(config: CoreConfig, deps: CoreDeps): Promise<CoreService> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: 'core' });
  const store = await openStore(config.database, config);
  const metrics = new CoreMetrics({ instance: config.instanceId, clock, processMetrics: deps.metrics != null });
  let metricsServer: MetricsServer | null = null;
  let stopping = false;
  let bus: Awaited<ReturnType<typeof startEventBus>> = null;
  let statsTimer: NodeJS.Timeout | null = null;
  try {
    if (config.seedDemo && (await store.seedIfEmpty(await demoAccounts(), formatLegacyTimestamp(clock.now())))) log.info('demo.seeded', { accounts: 6 });
    bus = await startEventBus(store, config, clock, log, metrics);
    const publishStats = (stats: Estadisticas): void => {
      bus?.publisher.publishStats(stats, randomUUID(), clock.now().toISOString());
      deps.onEstadisticas?.(stats);
    };
    const crashAfterCommit = config.faults.has('crash-after-commit');
    const ledger = createLedger(store, config, clock, (results) => {
      if (crashAfterCommit) return crashNow(); // nothing else may run: the relay must not publish first
      metrics.countCommitted(results);
      bus?.relay.wake();
    });
    const observeRequest = (protocol: 'json' | 'legacy', op: string, seconds: number): void => metrics.observeRequest(protocol, op, seconds);
    const server = new CoreServer(ledger, { host: config.host, port: config.corePort, legacyText: config.legacyText, legacyRoundAmounts: config.legacyRoundAmounts, coreToken: config.coreToken, limits: config.limits, log, onEstadisticas: publishStats, observeRequest });
    const port = await server.listen();
    const health = observe(metrics, { store, server, bus, stopping: () => stopping, readyBacklogMax: deps.metrics?.outboxBacklogReadyMax });
    if (deps.metrics) metricsServer = await startMetricsServer(deps.metrics, { registry: metrics.registry, health }, log.child({ component: 'metrics' }));
    if (bus) await runEventBus(bus);
    const stopMaintenance = startMaintenance(store, config.idempotencyRetentionMs, clock, log);
    if (bus && config.eventBus!.statsIntervalMs > 0) {
      statsTimer = setInterval(() => void server.estadisticas().catch((err) => log.warn('stats.failed', { err })), config.eventBus!.statsIntervalMs);
      statsTimer.unref();
    }
    log.info('core.listening', { host: config.host, port, storage: store.kind, legacyText: config.legacyText, auth: config.coreToken !== null, mqtt: config.eventBus ? safeUrl(config.eventBus.url) : 'off' });
    const running = bus;
    return {
      port,
      ledger,
      store,
      server,
      relay: running?.relay ?? null,
      metrics,
      metricsPort: metricsServer?.port ?? null,
      health,
      async stop() {
        // /health turns 503 at once, so a load balancer stops sending work while we drain.
        stopping = true;
        stopMaintenance();
        if (statsTimer) clearInterval(statsTimer);
        await server.close();
        await Promise.race([ledger.idle(), delay(config.limits.shutdown_grace_ms)]);
        if (running) await stopEventBus(running, OUTBOX_FLUSH_MS, log);
        await metricsServer?.close();
        await store.close();
        log.info('core.stopped', {});
      },
    };
  } catch (err) {
    if (statsTimer) clearInterval(statsTimer);
    await metricsServer?.close();
    if (bus) await stopEventBus(bus, 0, log).catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}
