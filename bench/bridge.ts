/**
 * Suite `bridge`: one customer round trip — log in with cédula + PIN, read the balance, deposit
 * 1.00 — through the bridge (HTTP, cookie session, CSRF, idempotency key, the bridge's core pool),
 * against the same three operations straight on the core's JSON lines, side by side in one run
 * (alternating rounds, median). Both sides run the same PIN check (scrypt, bounded by the core's
 * `pin_hash_concurrency_max`), which dominates a login; a second figure logs in once per client
 * and repeats balance + deposit, which shows the bridge's own per-request cost. One core on
 * SQLite and the embedded broker (the bridge's event feed; the relay is off: this measures the
 * request path) in this process; the bridge in a worker thread of its own (bridge-host.ts), as a
 * separate bridge process would run; the load in another worker.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { loadBrokerConfig, startEmbeddedBroker } from '../core/broker';
import { formatLegacyTimestamp } from '../core/clock';
import { loadCoreConfig } from '../core/config';
import { startCore } from '../core/core-service';
import { hashPin } from '../core/ledger/pin';
import { silentLogger } from '../core/log';
import { median, type Figure } from './figure';
import { accounts } from './harness';
import { freePort } from './ports';
import type { BridgeLoadRequest, BridgeLoadResult } from './bridge-worker';

const PIN = '2468';
/** Rates far above the load, so the bench measures the path, not the limiter. */
const UNLIMITED = '1000000';
/**
 * 32 logins at once queue behind the core's two scrypt slots (seconds on a busy machine); the
 * bench waits for them rather than measuring the bridge's default 5 s timeout. Failures are
 * still reported in each figure's params.
 */
const BENCH_CORE_TIMEOUT_MS = '30000';
/** Pause between runs, so one run's last requests never overlap the next. */
const SETTLE_MS = 500;
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Starts the bridge in its own worker thread; resolves with its port and a stop function. */
function hostBridge(env: Record<string, string>): Promise<{ port: number; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'bridge-host.js'), { workerData: env });
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; error?: string }) => {
      if (m.port === undefined) return reject(new Error(`bridge: ${m.error}`));
      const stop = (): Promise<void> =>
        new Promise((done) => {
          worker.once('message', () => void worker.terminate().then(() => done()));
          worker.postMessage('stop');
        });
      resolve({ port: m.port, stop });
    });
  });
}

function load(req: BridgeLoadRequest): Promise<BridgeLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'bridge-worker.js'), { workerData: req });
    worker.once('message', (m: BridgeLoadResult) => resolve(m));
    worker.once('error', reject);
  });
}

export async function benchBridge(opts: { quick: boolean; clients: number[] }, emit: (f: Figure) => void): Promise<void> {
  const durationMs = opts.quick ? 1500 : 4000;
  const rounds = opts.quick ? 1 : 3;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-bench-bridge-'));
  const mqttPort = await freePort();
  const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', CORE_PORT: '0', MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off', BANCO_DEMO_DATA: 'off', BANCO_RELAY: 'off' };
  const broker = await startEmbeddedBroker(loadBrokerConfig(env), silentLogger);
  const core = await startCore(loadCoreConfig(env), { log: silentLogger });
  const bridge = await hostBridge({ ...env, CORE_PORT: String(core.port), BRIDGE_PORT: '0', BANCO_BRIDGE_IP_REQUESTS_PER_SECOND: UNLIMITED, BANCO_BRIDGE_IP_LOGINS_PER_MINUTE: UNLIMITED, BANCO_BRIDGE_SESSION_REQUESTS_PER_SECOND: UNLIMITED, BANCO_BRIDGE_CORE_TIMEOUT_MS: BENCH_CORE_TIMEOUT_MS });
  try {
    const list = accounts(Math.max(...opts.clients));
    const pinHash = await hashPin(PIN);
    await core.store.seedIfEmpty(list.map((cedula) => ({ cedula, nombres: 'Bench', apellidos: 'Cliente', saldo: 100_000_000, pinHash })), formatLegacyTimestamp(new Date()));
    for (const loginEach of [true, false])
      for (const clients of opts.clients) {
      const base = { url: `http://127.0.0.1:${bridge.port}`, corePort: core.port, clients, accounts: list, pin: PIN, durationMs, loginEach };
      const direct: number[] = [];
      const through: number[] = [];
      let last: BridgeLoadResult = { ok: 0, failed: 0, codes: {} };
      for (let round = 0; round < rounds; round++) {
        direct.push(((await load({ ...base, mode: 'core' })).ok * 1000) / durationMs);
        await settle();
        last = await load({ ...base, mode: 'bridge' });
        await settle();
        through.push((last.ok * 1000) / durationMs);
      }
      const value = median(through);
      const baseline = median(direct);
      emit({
        name: `bridge.${loginEach ? 'login_balance_deposit' : 'balance_deposit'}.c${clients}`,
        value: Math.round(value * 10) / 10,
        unit: 'round trips/s',
        baseline: Math.round(baseline * 10) / 10,
        ratio: Math.round((value / baseline) * 100) / 100,
        params: { clients, rounds, duration_ms: durationMs, login: loginEach ? 'every round trip' : 'once per client', baseline: 'same ops on core JSON lines', failed: last.failed, codes: last.codes, backend: 'sqlite' },
      });
    }
  } finally {
    await bridge.stop();
    await core.stop();
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
