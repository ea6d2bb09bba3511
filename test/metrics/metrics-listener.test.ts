/**
 * The core's health and metrics listener against a real core, a real aedes broker and real TCP
 * clients: what a Prometheus scrape and a health checker see (docs/metrics.md).
 */
import { loadCoreConfig } from '../../core/config';
import { startCore, type CoreService } from '../../core/core-service';
import { silentLogger } from '../../core/log';
import { loadMetricsConfig } from '../../core/metrics';
import { AedesBroker } from '../helpers/aedes-broker';
import { tempDir } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

const TOKEN = 'metrics-test-token-0123456789';

/** One sample's value from the Prometheus text format, or null when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

async function get(port: number, path: string, token: string | null = TOKEN): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.text() };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the core health and metrics listener', () => {
  let broker: AedesBroker;
  let core: CoreService;
  let port: number;

  beforeAll(async () => {
    broker = await AedesBroker.start();
    const env = { HOST: '127.0.0.1', CORE_PORT: '0', DATA_DIR: tempDir(), MQTT_URL: broker.url, BANCO_STATS_INTERVAL_MS: '0', BANCO_INSTANCE_ID: 'core-a', BANCO_METRICS_PORT: '0', BANCO_METRICS_TOKEN: TOKEN, BANCO_HEALTH_OUTBOX_BACKLOG_MAX: '50' };
    core = await startCore(loadCoreConfig(env), { log: silentLogger, metrics: loadMetricsConfig(env) });
    port = core.metricsPort!;
  });
  afterAll(async () => {
    await core?.stop();
    await broker?.stop();
  });

  it('counts a deposit by type, times its request and its relay publish, and reports an empty backlog and the open connection', async () => {
    const json = await TcpClient.open(core.port);
    const legacy = await TcpClient.open(core.port);
    expect(await json.json({ id: 1, op: 'depositar', cedula: '1350509525', monto: '10.00' })).toMatchObject({ ok: true });
    expect(await legacy.command('DISMINUIR 1350509525 5')).toMatch(/^OK\|Retiro exitoso/);
    await until(async () => (await core.store.outboxBacklog()).rows === 0);
    const { status, body } = await get(port, '/metrics');
    expect(status).toBe(200);
    expect(sample(body, 'banco_core_movements_total', { type: 'depositar', banco_instance: 'core-a' })).toBe(1);
    expect(sample(body, 'banco_core_movements_total', { type: 'retirar' })).toBe(1);
    expect(sample(body, 'banco_core_movements_total', { type: 'transferir' })).toBe(0);
    expect(sample(body, 'banco_core_request_duration_seconds_count', { protocol: 'json', op: 'depositar' })).toBe(1);
    expect(sample(body, 'banco_core_request_duration_seconds_count', { protocol: 'legacy', op: 'retirar' })).toBe(1);
    // A deposit is 3 outbox rows (transacciones, depositos, saldo), a withdrawal at least 3.
    expect(sample(body, 'banco_core_relay_publish_duration_seconds_count', { qos: '1' })).toBeGreaterThanOrEqual(6);
    expect(sample(body, 'banco_core_outbox_backlog_rows')).toBe(0);
    expect(sample(body, 'banco_core_outbox_oldest_unsent_age_seconds')).toBe(0);
    expect(sample(body, 'banco_core_connections')).toBe(2);
    expect(sample(body, 'banco_core_broker_connected')).toBe(1);
    expect(sample(body, 'banco_core_relay_leader')).toBe(1);
    expect(sample(body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    json.close();
    legacy.close();
  });

  it('labels an unknown command as desconocida, so made-up commands cannot grow the metric', async () => {
    const legacy = await TcpClient.open(core.port);
    await legacy.command('INVENTADO 1 2');
    await legacy.command('OTRO');
    legacy.close();
    const { body } = await get(port, '/metrics');
    expect(sample(body, 'banco_core_request_duration_seconds_count', { protocol: 'legacy', op: 'desconocida' })).toBe(2);
    expect(body).not.toContain('INVENTADO');
  });

  it('answers /health 200 with every check while the database, the broker and the backlog are fine, and /health/live', async () => {
    const { status, body } = await get(port, '/health');
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({
      status: 'ok',
      ready: true,
      live: true,
      shutting_down: false,
      checks: { database: { ok: true }, broker: { ok: true, state: 'connected' }, outbox: { ok: true, backlog_rows: 0, backlog_rows_max: 50, oldest_unsent_age_s: 0 } },
    });
    expect((await get(port, '/health/live')).status).toBe(200);
  });

  it('refuses a request without the bearer token, or with a wrong one, with 401 and no figures', async () => {
    for (const token of [null, 'wrong-token-0123456789012345']) {
      const res = await get(port, '/metrics', token);
      expect(res.status).toBe(401);
      expect(res.body).not.toContain('banco_core');
    }
    expect((await get(port, '/health', null)).status).toBe(401);
  });

  it('answers 404 for other paths and 405 for other methods, without a stack trace', async () => {
    const missing = await get(port, '/admin');
    expect(missing.status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    expect(await post.text()).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('turns /health 503 with the broker "disconnected" while the broker is down, the backlog growing and the age of its oldest row shown', async () => {
    await broker.stop();
    try {
      await until(async () => (await get(port, '/health')).status === 503);
      const json = await TcpClient.open(core.port);
      expect(await json.json({ id: 1, op: 'depositar', cedula: '1350509525', monto: '1.00' })).toMatchObject({ ok: true });
      json.close();
      await new Promise((r) => setTimeout(r, 1100)); // past the probe's reuse period
      const report = JSON.parse((await get(port, '/health')).body);
      expect(report).toMatchObject({ status: 'unavailable', ready: false, checks: { database: { ok: true }, broker: { ok: false, state: 'disconnected' }, outbox: { ok: true } } });
      expect(report.checks.outbox.backlog_rows).toBeGreaterThanOrEqual(3);
      const { body } = await get(port, '/metrics');
      expect(sample(body, 'banco_core_broker_connected')).toBe(0);
      expect(sample(body, 'banco_core_outbox_backlog_rows')).toBeGreaterThanOrEqual(3);
      expect(sample(body, 'banco_core_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      await broker.restart();
    }
    await until(async () => (await get(port, '/health')).status === 200, 15_000);
  });
});
