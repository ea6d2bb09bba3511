/**
 * `npm run bench`: throughput of the core's write path over TCP against a baseline measured side
 * by side in the same run. Baseline: the same SQL (the store's own one-operation transaction)
 * issued by a tight driver loop at the same concurrency, one transaction per operation, no
 * protocol, no batching. One JSON line per figure:
 *   {"name","value","unit","baseline","ratio","params"}
 * Flags: --quick, --suite core,legacy,relay,audit,flow, --backend sqlite|mysql|all,
 * --clients 1,16,64, --ops deposit,transfer. Suite `legacy`: the old clients' framing against
 * JSON lines, and one client's latency beside a flood (bench/legacy.ts). Suite `relay`: commit → subscriber latency
 * (bench/relay-latency.ts); suite `audit`: the audit log writer (bench/audit-throughput.ts); suite `flow`: banco-events →
 * banco-audit in Node-RED, acknowledgement held until durable vs on arrival (bench/flow-audit.ts); suite
 * `bridge`: login + balance + deposit through the bridge against the same ops on JSON lines, at
 * 1 and 32 clients (bench/bridge.ts); suite
 * `kafka`: the Kafka export, batched against one message per send (bench/kafka-export.ts; a real
 * Kafka from KAFKA_BENCH_BROKERS or started for the run by scripts/kafka/kafka.js).
 * MySQL figures run when BANCO_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/test) answers.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { formatLegacyTimestamp, systemClock } from '../core/clock';
import { loadCoreConfig } from '../core/config';
import { openStore, startCore } from '../core/core-service';
import { batchRules } from '../core/ledger/apply-batch';
import type { Operacion } from '../core/ledger/types';
import { silentLogger } from '../core/log';
import type { Store } from '../core/store/store';
import { median, type Figure } from './figure';
import { accounts, load, mysqlUrl, seed } from './harness';
import type { LoadResult } from './load-worker';
import { benchRelayLatency } from './relay-latency';
import { benchAudit } from './audit-throughput';
import { benchFlowAudit } from './flow-audit';
import { benchLegacy } from './legacy';
import { benchBridge } from './bridge';
import { benchKafka } from './kafka-export';

type Backend = 'sqlite' | 'mysql';
type OpKind = 'deposit' | 'transfer';

const ACCOUNTS_COUNT = 1000;

const SUITES = ['core', 'legacy', 'relay', 'audit', 'flow', 'bridge', 'kafka'] as const;
type Suite = (typeof SUITES)[number];

function args(argv: string[]): { quick: boolean; backends: Backend[]; clients: number[]; legacyClients: number[]; bridgeClients: number[]; ops: OpKind[]; suites: Suite[] } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const backend = get('--backend') ?? 'all';
  return {
    quick: argv.includes('--quick'),
    backends: backend === 'all' ? ['sqlite', 'mysql'] : [backend as Backend],
    clients: (get('--clients') ?? '1,16,64').split(',').map(Number),
    // The legacy suite's concurrencies (issue 7: 1, 8 and 64 clients).
    legacyClients: (get('--clients') ?? '1,8,64').split(',').map(Number),
    // The bridge suite's concurrencies (issue 13: 1 and 32 browsers' worth of clients).
    bridgeClients: (get('--clients') ?? '1,32').split(',').map(Number),
    ops: (get('--ops') ?? 'deposit,transfer').split(',') as OpKind[],
    suites: (get('--suite') ?? SUITES.join(',')).split(',') as Suite[],
  };
}

function operation(kind: OpKind, list: string[], i: number): Operacion {
  const a = list[(i * 7) % list.length];
  const b = list[(i * 13 + 1) % list.length];
  return kind === 'deposit' ? { tipo: 'depositar', cedula: a, centavos: 100, ref: null } : { tipo: 'transferir', origen: a, destino: a === b ? list[(i + 1) % list.length] : b, centavos: 1, ref: null };
}

/** The baseline: `clients` loops, each committing one operation per transaction, back to back. */
async function baseline(store: Store, kind: OpKind, list: string[], clients: number, durationMs: number): Promise<number> {
  let done = 0;
  let i = 0;
  const deadline = Date.now() + durationMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        const ops = [operation(kind, list, i++)];
        const now = systemClock.now();
        const ctx = { timestamp: now.toISOString(), fecha: formatLegacyTimestamp(now), lowBalanceCents: 10_000, balanceCentsMax: 999_999_999_999_999 };
        const [r] = await store.commitBatch(ops, batchRules(ctx));
        if (r.ok) done++;
        // better-sqlite3 is synchronous: yield so the loops interleave as concurrent clients would.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return (done * 1000) / (Date.now() - started);
}

/**
 * One figure on a fresh database (a new SQLite file, or a new MySQL database), shared by its
 * baseline and product rounds: figures do not inherit each other's table growth.
 */
async function benchFigure(backend: Backend, kind: OpKind, clients: number, list: string[], quick: boolean): Promise<Figure | null> {
  const durationMs = quick ? 1000 : 3000;
  const rounds = quick ? 1 : 3;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-bench-'));
  const mysql = backend === 'mysql' ? await mysqlUrl() : null;
  if (backend === 'mysql' && !mysql) return null;
  const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', CORE_PORT: '0', BANCO_RELAY: 'off', BANCO_DEMO_DATA: 'off', ...(mysql ? { DATABASE_URL: mysql.url } : {}) };
  try {
    const config = loadCoreConfig(env);
    const core = await startCore(config, { log: silentLogger });
    await seed(core.store, list);
    // Baseline and product alternate, round after round, so a noisy neighbour hurts both alike;
    // the figure is the median of its rounds.
    const baseRuns: number[] = [];
    const runs: number[] = [];
    let last: LoadResult = { ok: 0, failed: 0, codes: {} };
    for (let round = 0; round < rounds; round++) {
      const baseStore = await openStore(config.database, { ...config, dbConnectionsMax: Math.max(clients, 1) });
      baseRuns.push(await baseline(baseStore, kind, list, clients, durationMs));
      await baseStore.close();
      last = await load({ port: core.port, clients, op: kind, accounts: list, durationMs });
      runs.push((last.ok * 1000) / durationMs);
    }
    await core.stop();
    const value = median(runs);
    const base = median(baseRuns);
    return {
      name: `core.${kind}.${backend}.c${clients}`,
      value: Math.round(value),
      unit: 'ops/s',
      baseline: Math.round(base),
      ratio: Math.round((value / base) * 100) / 100,
      params: { backend, op: kind, clients, rounds, duration_ms: durationMs, failed: last.failed, codes: last.codes, batch_max: config.limits.batch_operations_max, batch_concurrency: config.batchConcurrency },
    };
  } finally {
    await mysql?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchBackend(backend: Backend, opts: ReturnType<typeof args>, emit: (f: Figure) => void): Promise<void> {
  const list = accounts(ACCOUNTS_COUNT);
  for (const kind of opts.ops) {
    for (const clients of opts.clients) {
      const figure = await benchFigure(backend, kind, clients, list, opts.quick);
      if (figure === null) {
        process.stderr.write('bench: MySQL/MariaDB not reachable (BANCO_BENCH_MYSQL_URL); skipping its figures\n');
        return;
      }
      emit(figure);
    }
  }
}

/**
 * The audit writer with fsync per batch (group commit), against the same writer with fsync per
 * record as the baseline: events/s with hash chain, JSON lines and durable writes.
 */
async function auditFigure(quick: boolean): Promise<Figure> {
  const batch = await benchAudit({ events: quick ? 20_000 : 50_000, durability: 'batch' });
  const record = await benchAudit({ events: quick ? 1_000 : 3_000, durability: 'record' });
  return { name: 'audit.append.batch', value: batch.value, unit: 'events/s', baseline: record.value, ratio: Math.round((batch.value / record.value) * 100) / 100, params: { ...batch.params, baseline: 'fsync per record', baseline_events: record.params.events } };
}

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  const emit = (f: Figure): void => void process.stdout.write(JSON.stringify(f) + '\n');
  if (opts.suites.includes('core')) for (const backend of opts.backends) await benchBackend(backend, opts, emit);
  if (opts.suites.includes('legacy')) await benchLegacy({ quick: opts.quick, backends: opts.backends, clients: opts.legacyClients, ops: opts.ops }, emit);
  if (opts.suites.includes('relay')) for (const f of await benchRelayLatency({ quick: opts.quick })) emit(f);
  if (opts.suites.includes('audit')) emit(await auditFigure(opts.quick));
  if (opts.suites.includes('flow')) for (const f of await benchFlowAudit(opts.quick)) emit(f);
  if (opts.suites.includes('bridge')) await benchBridge({ quick: opts.quick, clients: opts.bridgeClients }, emit);
  if (opts.suites.includes('kafka')) emit(await benchKafka({ quick: opts.quick }));
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
