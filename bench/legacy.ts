/**
 * Suite `legacy` (issue 7): the legacy text protocol as the old clients speak it — one command
 * per write with no newline, waiting for the reply — on a persistent connection and with a new
 * connection per command, against JSON lines with the same connection habit on the same core and
 * database, rounds alternating.
 * Target: legacy ≥ 0.8× JSON lines at every concurrency.
 *
 * Also `core.flood.consulta.p99`: CONSULTA round trips of one client while another floods
 * (bench/flood-worker.ts), against the same probe with no flood.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadCoreConfig } from '../core/config';
import { startCore, type CoreService } from '../core/core-service';
import { silentLogger } from '../core/log';
import { median, percentile, round2, type Figure } from './figure';
import type { FloodRequest } from './flood-worker';
import { accounts, load, mysqlUrl, seed } from './harness';
import type { LoadProtocol, LoadRequest } from './load-worker';

type Backend = 'sqlite' | 'mysql';
const PROTOCOLS: LoadProtocol[] = ['json', 'legacy', 'json-connect', 'legacy-connect'];
/** Each legacy style and the JSON-lines style it is compared with (the same connection habit). */
const STYLES = [
  { legacy: 'legacy', json: 'json', name: 'persistent' },
  { legacy: 'legacy-connect', json: 'json-connect', name: 'connect' },
] as const;

export interface LegacyBenchOptions {
  quick: boolean;
  backends: Backend[];
  clients: number[];
  ops: Array<'deposit' | 'transfer'>;
}

async function withCore<T>(backend: Backend, fn: (core: CoreService, list: string[]) => Promise<T>): Promise<T | null> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-bench-legacy-'));
  const mysql = backend === 'mysql' ? await mysqlUrl() : null;
  if (backend === 'mysql' && !mysql) return null;
  const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', CORE_PORT: '0', BANCO_RELAY: 'off', BANCO_DEMO_DATA: 'off', BANCO_LEGACY_TEXT: 'on', ...(mysql ? { DATABASE_URL: mysql.url } : {}) };
  const core = await startCore(loadCoreConfig(env), { log: silentLogger });
  try {
    const list = accounts(1000);
    await seed(core.store, list);
    return await fn(core, list);
  } finally {
    await core.stop();
    await mysql?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Legacy (persistent, per connection) against JSON lines, one core, rounds alternating. */
async function protocolFigures(backend: Backend, op: 'deposit' | 'transfer', clients: number, quick: boolean): Promise<Figure[] | null> {
  const durationMs = quick ? 1000 : 3000;
  const rounds = quick ? 1 : 3;
  return withCore(backend, async (core, list) => {
    const runs: Record<LoadProtocol, number[]> = { json: [], legacy: [], 'json-connect': [], 'legacy-connect': [] };
    const failed: Record<LoadProtocol, Record<string, number>> = { json: {}, legacy: {}, 'json-connect': {}, 'legacy-connect': {} };
    for (let round = 0; round < rounds; round++) {
      for (const protocol of PROTOCOLS) {
        const r = await load({ port: core.port, clients, op, protocol, accounts: list, durationMs });
        runs[protocol].push((r.ok * 1000) / durationMs);
        failed[protocol] = r.codes;
      }
    }
    return STYLES.map((style) => ({
      name: `legacy.${op}.${backend}.${style.name}.c${clients}`,
      value: Math.round(median(runs[style.legacy])),
      unit: 'ops/s',
      baseline: Math.round(median(runs[style.json])),
      ratio: round2(median(runs[style.legacy]) / median(runs[style.json])),
      params: { backend, op, clients, protocol: style.legacy, baseline: style.json, rounds, duration_ms: durationMs, failed: failed[style.legacy], baseline_failed: failed[style.json] },
    }));
  });
}

function flood(req: FloodRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'flood-worker.js'), { workerData: req });
    worker.once('message', (floods: number) => resolve(floods));
    worker.once('error', reject);
  });
}

/** CONSULTA p99 of one legacy client with one flooding client beside it, against no flood. */
async function floodFigure(quick: boolean): Promise<Figure | null> {
  const durationMs = quick ? 2000 : 5000;
  return withCore('sqlite', async (core, list) => {
    const probe = (): Promise<number[]> => load({ port: core.port, clients: 1, op: 'consulta', protocol: 'legacy', accounts: list, durationMs } satisfies LoadRequest).then((r) => r.latencies_ms ?? []);
    const quiet = await probe();
    const [loud, floods] = await Promise.all([probe(), flood({ port: core.port, durationMs })]);
    const value = percentile(loud, 99);
    const base = percentile(quiet, 99);
    return { name: 'core.flood.consulta.p99', value: round2(value), unit: 'ms', baseline: round2(base), ratio: round2(value / base), params: { flood: '64 KiB of bare newlines (legacy) and 64K lines of "{" (JSON), alternating, reconnecting', floods, samples: loud.length, baseline_samples: quiet.length, duration_ms: durationMs } };
  });
}

export async function benchLegacy(opts: LegacyBenchOptions, emit: (f: Figure) => void): Promise<void> {
  for (const backend of opts.backends) {
    for (const op of opts.ops) {
      for (const clients of opts.clients) {
        const figures = await protocolFigures(backend, op, clients, opts.quick);
        if (figures === null) {
          process.stderr.write('bench: MySQL/MariaDB not reachable (BANCO_BENCH_MYSQL_URL); skipping its legacy figures\n');
          break;
        }
        figures.forEach(emit);
      }
    }
  }
  const f = await floodFigure(opts.quick);
  if (f) emit(f);
}
