/** /health's readiness bounds against real stores: the outbox backlog bound and a database that stops answering. */
import { createConnection } from 'mysql2/promise';
import { loadCoreConfig, type Env } from '../../core/config';
import { startCore, type CoreService } from '../../core/core-service';
import { silentLogger } from '../../core/log';
import { loadMetricsConfig, METRICS_LIMITS } from '../../core/metrics';
import { tempDir } from '../helpers/core';
import { createTestDatabase, describeWith } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';

async function startWithListener(extra: Env): Promise<CoreService> {
  const env = { HOST: '127.0.0.1', CORE_PORT: '0', DATA_DIR: tempDir(), BANCO_RELAY: 'off', BANCO_METRICS_PORT: '0', ...extra };
  return startCore(loadCoreConfig(env), { log: silentLogger, metrics: loadMetricsConfig(env) });
}

async function health(core: CoreService): Promise<{ status: number; report: Record<string, any> }> {
  const res = await fetch(`http://127.0.0.1:${core.metricsPort}/health`);
  return { status: res.status, report: (await res.json()) as Record<string, any> };
}

describe('/health readiness', () => {
  it('is ready with the broker "not used" when this core runs no relay, and turns 503 once the backlog passes BANCO_HEALTH_OUTBOX_BACKLOG_MAX', async () => {
    const core = await startWithListener({ BANCO_HEALTH_OUTBOX_BACKLOG_MAX: '3' });
    try {
      expect(await health(core)).toMatchObject({ status: 200, report: { ready: true, checks: { broker: { ok: true, state: 'not used' }, outbox: { backlog_rows: 0, backlog_rows_max: 3 } } } });
      const c = await TcpClient.open(core.port);
      await c.command('AUMENTAR 1350509525 1\n'); // 3 rows: at the bound, still ready
      await new Promise((r) => setTimeout(r, METRICS_LIMITS.probe_reuse_ms + 50));
      expect((await health(core)).status).toBe(200);
      await c.command('AUMENTAR 1350509525 1\n'); // 6 rows: past it
      c.close();
      await new Promise((r) => setTimeout(r, METRICS_LIMITS.probe_reuse_ms + 50));
      expect(await health(core)).toMatchObject({ status: 503, report: { status: 'unavailable', ready: false, checks: { database: { ok: true }, outbox: { ok: false, backlog_rows: 6 } } } });
    } finally {
      await core.stop();
    }
  });

  it('refuses a BANCO_HEALTH_OUTBOX_BACKLOG_MAX that is not a positive whole number, and a short BANCO_METRICS_TOKEN', () => {
    expect(() => loadMetricsConfig({ BANCO_HEALTH_OUTBOX_BACKLOG_MAX: '0' })).toThrow('BANCO_HEALTH_OUTBOX_BACKLOG_MAX=0 must be a whole number from 1');
    expect(() => loadMetricsConfig({ BANCO_METRICS_TOKEN: 'short' })).toThrow('BANCO_METRICS_TOKEN must be at least 16 characters.');
    expect(loadMetricsConfig({ BANCO_METRICS: 'off' })).toBeNull();
    expect(loadMetricsConfig({})).toMatchObject({ host: '127.0.0.1', port: 9464, token: null });
  });

  it('ends start-up with one line naming BANCO_METRICS_PORT when the port is taken', async () => {
    const first = await startWithListener({});
    try {
      await expect(startWithListener({ BANCO_METRICS_PORT: String(first.metricsPort) })).rejects.toThrow(/health and metrics listener: port 127\.0\.0\.1:\d+ is already in use; .*BANCO_METRICS_PORT/);
    } finally {
      await first.stop();
    }
  });
});

describeWith('mysql', '/health on MySQL', () => {
  it('turns 503 "database did not answer" within the probe bound while the outbox table is locked, and ready again once released', async () => {
    const db = await createTestDatabase();
    const core = await startWithListener({ DATABASE_URL: db.url });
    const locker = await createConnection(db.url);
    try {
      expect((await health(core)).status).toBe(200);
      await new Promise((r) => setTimeout(r, METRICS_LIMITS.probe_reuse_ms + 50));
      await locker.query('LOCK TABLES outbox WRITE');
      const started = Date.now();
      const stalled = await health(core);
      const tookMs = Date.now() - started;
      expect(stalled).toMatchObject({ status: 503, report: { ready: false, checks: { database: { ok: false, error: `database did not answer within ${METRICS_LIMITS.database_probe_timeout_ms} ms` }, outbox: { ok: false, backlog_rows: null } } } });
      expect(tookMs).toBeLessThan(METRICS_LIMITS.database_probe_timeout_ms + 1000);
      await locker.query('UNLOCK TABLES');
      // The stalled query finishes once the lock goes; the next probe answers.
      await new Promise((r) => setTimeout(r, METRICS_LIMITS.probe_reuse_ms + 50));
      expect((await health(core)).status).toBe(200);
    } finally {
      await locker.end();
      await core.stop();
      await db.drop();
    }
  });
});
