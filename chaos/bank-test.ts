/**
 * Issue 8's bank test on the core, one variant per call: a fresh database (MariaDB with two core
 * processes, or SQLite with one), the product's own broker, a recording subscriber, 32 clients
 * over both protocols, and a nemesis that SIGKILLs a core every 2–4 s. Then the checks of
 * chaos/check-ledger.ts and chaos/check-events.ts, and the figures.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeUsersFile } from '../core/broker/users-file';
import { isValidCedula } from '../core/ledger/cedula';
import { formatCents } from '../core/ledger/money';
import { hashPin } from '../core/ledger/pin';
import { checkEvents, missingIds, type EventFigures } from './check-events';
import { checkLedger, type LedgerFigures } from './check-ledger';
import { prng, runClients, type LoadContext } from './clients';
import { Cluster, runNemesis } from './cluster';
import { createMysqlDatabase, sqliteDatabase, type ChaosDatabase } from './database';
import { recordEvents, type EventRecorder } from './event-recorder';
import { History } from './history';
import { CHAOS_LIMITS } from './limits';
import { openLink } from './link';
import { freePort, spawnBanco, stopGently, type Proceso } from './processes';
import { readSnapshots, type SnapshotFigures } from './snapshot-reader';
import { Violations } from './violations';

export type Variant = 'mysql' | 'sqlite';

export interface ChaosOptions {
  variant: Variant;
  durationS: number;
  seed: number;
  clients: number;
  /** For the harness's own development only: skip the CONTRACT §5 version checks. */
  requireVersions: boolean;
  /** MariaDB/MySQL server to create the test database on (mysql variant). */
  mysqlUrl: string;
}

export interface ChaosFigures {
  variant: Variant;
  cores: number;
  clients: number;
  duration_s: number;
  seed: number;
  operations: number;
  operations_json: number;
  operations_legacy: number;
  acknowledged: number;
  rejected: number;
  unknown_outcome: number;
  unknown_committed: number;
  unresolved_refs: number;
  reads: number;
  snapshot_reads: number;
  kills: number;
  restart_ms_max: number;
  unexpected_exits: number;
  violations: number;
  violations_by_kind: Partial<Record<string, number>>;
  events_outbox: number;
  events_received: number;
  events_missing: number;
  duplicates_before_dedupe: number;
  versions_missing: number;
  version_regressions: number;
  arrival_reorders: number;
  event_delay_ms_max: number;
  drain_ms: number;
  clean_stop: boolean;
  samples: string[];
  missing_samples: string[];
}

/** Valid cédulas 1700000001, … (province 17, check digit computed), as bench/run.ts makes them. */
function cuentas(n: number): string[] {
  const out: string[] = [];
  for (let body = 170_000_000; out.length < n; body++) {
    for (let d = 0; d < 10 && out.length < n; d++) if (isValidCedula(`${body}${d}`)) out.push(`${body}${d}`);
  }
  return out;
}

interface Rig {
  root: string;
  broker: Proceso;
  recorder: EventRecorder;
  db: ChaosDatabase;
  cluster: Cluster;
}

/**
 * The recorder shares this process's CPU with 32 clients and may fall thousands of events behind;
 * the broker's default session queue (1,000, as Mosquitto's) would then drop the newest, which is
 * the broker's documented bound (docs/event-bus.md), not what this test is about.
 */
const RECORDER_QUEUE_MAX = 1_000_000;

async function startRig(options: ChaosOptions): Promise<Rig> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `banco-chaos-${options.variant}-`));
  const mqttPort = await freePort();
  // As an operator would run separate processes: a users file with one service login for the
  // relays and the recorder (anonymous clients may only read; docs/security.md).
  const service = { username: 'chaos-service', password: randomBytes(18).toString('base64url') };
  const usersFile = path.join(root, 'mqtt-users.json');
  await writeUsersFile(usersFile, [{ username: service.username, passwordHash: await hashPin(service.password), role: 'service' }]);
  const broker = await spawnBanco(['start', 'broker'], { MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off', DATA_DIR: path.join(root, 'broker'), BANCO_MQTT_USERS_FILE: usersFile, BANCO_MQTT_SESSION_QUEUE_MAX: String(RECORDER_QUEUE_MAX) }, 'mqtt_broker_started');
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const recorder = await recordEvents(mqttUrl, `chaos-recorder-${randomBytes(4).toString('hex')}`, service);
  const cores = options.variant === 'mysql' ? 2 : 1;
  const db = options.variant === 'mysql' ? await createMysqlDatabase(options.mysqlUrl) : sqliteDatabase(path.join(root, 'core-0'));
  const envs: Array<Record<string, string>> = [];
  for (let i = 0; i < cores; i++) {
    envs.push({
      CORE_PORT: String(await freePort()),
      DATA_DIR: path.join(root, `core-${i}`),
      MQTT_URL: mqttUrl,
      BANCO_MQTT_USERNAME: service.username,
      BANCO_MQTT_PASSWORD: service.password,
      BANCO_DEMO_DATA: 'off',
      BANCO_STATS_INTERVAL_MS: '0',
      ...(options.variant === 'mysql' ? { DATABASE_URL: db.url } : {}),
    });
  }
  const cluster = await Cluster.start(envs);
  return { root, broker, recorder, db, cluster };
}

async function stopRig(rig: Rig): Promise<boolean> {
  const codes = await rig.cluster.stop();
  await rig.recorder.stop();
  await stopGently(rig.broker);
  await rig.db.close();
  fs.rmSync(rig.root, { recursive: true, force: true });
  return codes.every((c) => c === 0);
}

/** Opens the accounts with their initial balance over JSON lines; returns the funding transaction ids. */
async function fund(port: number, accounts: string[]): Promise<Set<string>> {
  const opened = await openLink([port], 0, () => false);
  if (!opened) throw new Error('no core to fund the accounts');
  const ids = new Set<string>();
  for (const cedula of accounts) {
    for (const req of [
      { id: 1, op: 'crear', cedula, nombres: 'Cliente', apellidos: `Caos ${cedula}` },
      { id: 2, op: 'depositar', cedula, monto: formatCents(CHAOS_LIMITS.initial_balance_cents), ref: `fund-${cedula}` },
    ]) {
      opened.link.write(JSON.stringify(req) + '\n');
      const reply = JSON.parse((await opened.link.readLine()) ?? 'null') as Record<string, unknown> | null;
      if (reply?.ok !== true) throw new Error(`funding ${cedula} failed: ${JSON.stringify(reply)}`);
      if (typeof reply.transaccion_id === 'string') ids.add(reply.transaccion_id);
    }
  }
  opened.link.close();
  return ids;
}

/** Waits (bounded) until every outbox row reached the subscriber; returns how long it waited. */
async function drain(rig: Rig): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < CHAOS_LIMITS.drain_wait_ms) {
    if (missingIds(await rig.db.outboxIds(), rig.recorder.deliveries) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.drain_poll_ms));
  }
  return Date.now() - started;
}

interface LoadOutcome {
  history: History;
  snapshots: SnapshotFigures;
  unresolved: number;
}

async function load(rig: Rig, options: ChaosOptions, accounts: string[], fundingIds: ReadonlySet<string>, initialTotalCents: number, violations: Violations): Promise<LoadOutcome> {
  const history = new History();
  let loadOver = false;
  let clientsDone = false;
  let resolveDeadlineMs = Number.POSITIVE_INFINITY;
  const unresolved = { count: 0 };
  const ctx: LoadContext = { ports: rig.cluster.ports, accounts, history, fundingIds, violations, seed: options.seed, loadOver: () => loadOver, resolveDeadlineMs: () => resolveDeadlineMs, unresolved };
  // A failed restart or client ends the load at once; the error is thrown after everything stopped.
  const failures: unknown[] = [];
  const fail = (err: unknown): void => {
    failures.push(err);
    loadOver = true;
  };
  const nemesis = runNemesis(rig.cluster, prng(options.seed), () => loadOver).catch(fail);
  const snapshots = readSnapshots(rig.db, history, initialTotalCents, violations, () => clientsDone);
  const clients = runClients(ctx, options.clients).catch(fail);
  const endMs = Date.now() + options.durationS * 1000;
  while (!loadOver && Date.now() < endMs) await new Promise((resolve) => setTimeout(resolve, Math.min(CHAOS_LIMITS.tick_ms, endMs - Date.now())));
  loadOver = true;
  resolveDeadlineMs = Date.now() + CHAOS_LIMITS.resolve_timeout_ms;
  await nemesis;
  await clients;
  clientsDone = true;
  const snapshotFigures = await snapshots;
  if (failures.length > 0) throw new Error(`the load stopped early: ${String(failures[0])}`, { cause: failures[0] });
  return { history, snapshots: snapshotFigures, unresolved: unresolved.count };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const accounts = cuentas(CHAOS_LIMITS.accounts);
  const initialTotalCents = accounts.length * CHAOS_LIMITS.initial_balance_cents;
  const violations = new Violations();
  const rig = await startRig(options);
  let cleanStop = false;
  try {
    const fundingIds = await fund(rig.cluster.ports[0], accounts);
    const outcome = await load(rig, options, accounts, fundingIds, initialTotalCents, violations);
    await rig.cluster.reviveDead();
    const drainMs = await drain(rig);
    const view = await rig.db.view();
    const ledger = checkLedger(view, outcome.history, initialTotalCents, fundingIds, violations);
    const events = checkEvents(await rig.db.outbox(), rig.recorder.deliveries, view, options.requireVersions, violations);
    const figures = summarize(options, rig, outcome, ledger, events, violations, drainMs);
    cleanStop = await stopRig(rig);
    return { ...figures, clean_stop: cleanStop };
  } catch (err) {
    await stopRig(rig).catch((stopErr: unknown) => process.stderr.write(`chaos: clean-up failed too: ${String(stopErr)}\n`));
    throw err;
  }
}

function summarize(options: ChaosOptions, rig: Rig, outcome: LoadOutcome, ledger: LedgerFigures, events: EventFigures, violations: Violations, drainMs: number): Omit<ChaosFigures, 'clean_stop'> {
  const ops = [...outcome.history.operations.values()];
  return {
    variant: options.variant,
    cores: rig.cluster.ports.length,
    clients: options.clients,
    duration_s: options.durationS,
    seed: options.seed,
    operations: ops.length,
    operations_json: ops.filter((o) => o.protocolo === 'json').length,
    operations_legacy: ops.filter((o) => o.protocolo === 'legacy').length,
    acknowledged: ops.filter((o) => o.desenlace === 'ok').length,
    rejected: ops.filter((o) => o.desenlace === 'rejected').length,
    unknown_outcome: ledger.unknown,
    unknown_committed: ledger.unknownCommitted,
    unresolved_refs: outcome.unresolved,
    reads: outcome.history.reads,
    snapshot_reads: outcome.snapshots.reads,
    kills: rig.cluster.kills,
    restart_ms_max: rig.cluster.restartMsMax,
    unexpected_exits: rig.cluster.unexpectedExits,
    violations: violations.total,
    violations_by_kind: violations.byKind,
    events_outbox: events.outboxRows,
    events_received: events.deliveries,
    events_missing: events.missing,
    duplicates_before_dedupe: events.duplicatesBeforeDedupe,
    versions_missing: events.versionsMissing,
    version_regressions: events.versionRegressions,
    arrival_reorders: events.arrivalReorders,
    event_delay_ms_max: events.delayMsMax,
    drain_ms: drainMs,
    samples: violations.samples,
    missing_samples: events.missingSamples,
  };
}
