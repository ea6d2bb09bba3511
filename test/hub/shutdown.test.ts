/**
 * Shutdown fits docker's 10 s stop timeout (hub/limits.ts `shutdown_deadline_ms`): the real CLI
 * exits in time even with its broker frozen mid-flush, and a part that never finishes stopping is
 * given up at the deadline, named.
 */
import path from 'node:path';
import { createLogger } from '../../core/log';
import { HUB_LIMITS } from '../../hub/limits';
import { stopWithin } from '../../hub/shutdown';
import { spawnCore } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { describeWith } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';
import { startMosquitto } from '../mosquitto/run-mosquitto';

describe('the shutdown bound', () => {
  it('is below docker\'s 10 s stop timeout, with room to exit', () => {
    expect(HUB_LIMITS.shutdown_deadline_ms).toBeLessThanOrEqual(8000);
  });

  it('stops the parts in order and gives up at the deadline on one that never finishes, naming it', async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const part = (name: string, stop: () => Promise<void>) => ({ name, stop: async () => (order.push(name), stop()) });
    const started = Date.now();
    const outcome = await stopWithin([part('broker', async () => undefined), part('node-red', () => new Promise<void>(() => undefined)), part('core', async () => undefined)], createLogger({ write: (l) => lines.push(l) }), 1000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome).toEqual({ finished: false, stopping: 'node-red' });
    expect(order).toEqual(['core', 'node-red']); // the broker, last in the stop order, never started stopping
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', event: 'shutdown.deadline_passed', part: 'node-red' });
    expect(await stopWithin([part('core', async () => undefined)], createLogger({ write: () => undefined }), 300)).toEqual({ finished: true });
  });
});

describeWith('mosquitto', 'banco start core with a frozen broker', () => {
  it('exits 0 within the deadline on SIGTERM while the broker stopped answering mid-flush, leaving the unsent rows in the outbox', async () => {
    const dir = tempDir('banco-shutdown-');
    const broker = await startMosquitto('mosquitto.conf', dir);
    const core = await spawnCore({ DATA_DIR: dir, MQTT_URL: `mqtt://127.0.0.1:${broker.port(1883)}`, BANCO_STATS_INTERVAL_MS: '0' });
    const client = await TcpClient.open(core.port);
    try {
      broker.pause();
      for (let i = 0; i < 20; i++) expect(await client.command('AUMENTAR 1350509525 1')).toMatch(/^OK/);
      const started = Date.now();
      core.proc.kill('SIGTERM');
      const exit = await core.exited;
      const tookMs = Date.now() - started;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(HUB_LIMITS.shutdown_deadline_ms);
      // eslint-disable-next-line no-console
      console.log(`shutdown with a frozen broker took ${tookMs} ms`);
    } finally {
      client.close();
      broker.resume();
      await broker.stop();
    }
    const { openSqliteStore } = await import('../../core/store/sqlite-store');
    const store = openSqliteStore(path.join(dir, 'banco.db'));
    expect((await store.outboxBacklog()).rows).toBeGreaterThan(0);
    await store.close();
  });
});
