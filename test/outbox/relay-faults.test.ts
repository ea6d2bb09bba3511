/**
 * Nothing committed is lost (CONTRACT §5): a broker outage only delays events, a process killed
 * between commit and publish publishes after restart, and redeliveries keep their `id`.
 */
import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import Database from 'better-sqlite3';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { fixedClock, startTestCore, tempDir } from '../helpers/core';
import { subscriber, TestBroker } from '../helpers/mqtt-broker';
import { freePort } from '../helpers/ports';
import { TcpClient } from '../helpers/tcp-client';

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('outbox relay under faults', () => {
  it('delivers every one of 200 movements committed while the broker was down, once it returns', async () => {
    const broker = await TestBroker.start();
    const sub = await subscriber(broker.url, 'banco/depositos');
    const core = await startTestCore({ BANCO_RELAY: 'on', MQTT_URL: broker.url, BANCO_RELAY_POLL_MS: '100' }, fixedClock());
    const client = await TcpClient.open(core.port);
    try {
      for (let i = 0; i < 50; i++) expect(await client.command('AUMENTAR 1350509525 1')).toMatch(/^OK\|/);
      await broker.stop();
      for (let i = 0; i < 100; i++) expect(await client.command('AUMENTAR 1350509525 1')).toMatch(/^OK\|/);
      expect(await core.store.countOutboxPending()).toBeGreaterThanOrEqual(300);
      await broker.restart();
      for (let i = 0; i < 50; i++) expect(await client.command('AUMENTAR 1350509525 1')).toMatch(/^OK\|/);
      await until(async () => (await core.store.countOutboxPending()) === 0);
      await until(() => new Set(sub.messages.map((m) => m.payload.id)).size >= 200);
      // mqtt.js resubscribes after the broker restart; wait until it is back before counting.
      const ids = new Set(sub.messages.map((m) => m.payload.id));
      expect(ids.size).toBe(200);
      const amounts = new Set(sub.messages.map((m) => m.payload.saldo_nuevo));
      expect(amounts.size).toBe(200); // each deposit's own balance: no event missing
    } finally {
      client.close();
      await core.stop();
      await sub.client.endAsync();
      await broker.stop();
    }
  });

  it('publishes after a restart the events of a commit whose process was killed before publishing', async () => {
    const broker = await TestBroker.start();
    const sub = await subscriber(broker.url, 'banco/#');
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, CORE_PORT: String(await freePort()), MQTT_URL: broker.url, BANCO_RELAY_POLL_MS: '100', BANCO_STATS_INTERVAL_MS: '0' };
    let core: CoreProcess | null = await spawnCore({ ...env, BANCO_FAULTS: 'crash-after-commit' });
    try {
      const client = await TcpClient.open(core.port);
      client.write('AUMENTAR 1350509525 150\n');
      expect(await core.exited).toEqual({ code: null, signal: 'SIGKILL' });
      client.close();
      // Committed, not published: the deposit is in the database and its events wait in the outbox.
      const db = new Database(path.join(dataDir, 'banco.db'), { readonly: true });
      const saldo = db.prepare("SELECT saldo_centavos AS s FROM clientes WHERE cedula = '1350509525'").get() as { s: number };
      const pending = db.prepare('SELECT id, topic FROM outbox WHERE enviado_ms IS NULL ORDER BY seq').all() as Array<{ id: string; topic: string }>;
      db.close();
      expect(saldo.s).toBe(515000);
      expect(pending.map((r) => r.topic)).toEqual(['transacciones', 'depositos', 'saldo/1350509525']);
      // The broker tells subscribers through the publisher's last will (CONTRACT §5).
      const [will] = await sub.waitFor(1);
      expect(will).toMatchObject({ topic: 'banco/alertas', qos: 1, payload: { event: 'publisher_disconnected', id: expect.stringMatching(/^[0-9a-f-]{36}$/), client_id: expect.stringMatching(/^banco-core-/) } });
      await new Promise((r) => setTimeout(r, 300));
      expect(sub.messages).toHaveLength(1);

      core = await spawnCore(env);
      const got = (await sub.waitFor(4)).slice(1);
      expect(got.map((m) => m.payload.id)).toEqual(pending.map((r) => r.id));
      expect(got[1]).toMatchObject({ topic: 'banco/depositos', payload: { cedula: '1350509525', monto: 150, saldo_nuevo: 5150 } });
    } finally {
      core?.proc.kill('SIGTERM');
      await core?.exited;
      await sub.client.endAsync();
      await broker.stop();
    }
  });

  it('delivers every row a killed core had claimed within 5 s of its restart, under the default 30 s claim lease', async () => {
    // A broker that holds the core's publishes unacknowledged (and undelivered) while `hold` is on.
    let hold = true;
    const port = await freePort();
    const aedes = await Aedes.createBroker({
      authorizePublish: (client, _packet, callback) => {
        if (hold && client?.id.startsWith('banco-core-')) return; // never answered: no PUBACK
        callback(null);
      },
    });
    const server = net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const url = `mqtt://127.0.0.1:${port}`;
    const sub = await subscriber(url, 'banco/#');
    const dataDir = tempDir();
    // Same host, port and data dir: the same instance, restarted (its default id is stable).
    const env = { DATA_DIR: dataDir, CORE_PORT: String(await freePort()), MQTT_URL: url, BANCO_STATS_INTERVAL_MS: '0', BANCO_RELAY_BATCH_MAX: '20' };
    let core: CoreProcess | null = await spawnCore(env);
    try {
      const client = await TcpClient.open(core.port);
      for (let i = 0; i < 50; i++) expect(await client.command('AUMENTAR 1350509525 1')).toMatch(/^OK\|/);
      client.close();
      const db = new Database(path.join(dataDir, 'banco.db'), { readonly: true });
      await until(() => (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE reclamado_por IS NOT NULL').get() as { n: number }).n >= 30);
      const committed = (db.prepare('SELECT id FROM outbox ORDER BY seq').all() as Array<{ id: string }>).map((r) => r.id);
      db.close();
      core.proc.kill('SIGKILL'); // rows claimed, none acknowledged
      await core.exited;
      hold = false;

      core = await spawnCore(env);
      const restartedAt = Date.now();
      await until(() => committed.every((id) => sub.messages.some((m) => m.payload.id === id)), 10_000);
      expect(Date.now() - restartedAt).toBeLessThan(5000);
    } finally {
      core?.proc.kill('SIGTERM');
      await core?.exited;
      await sub.client.endAsync();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('redelivers with the same id when a process dies after publishing but before marking sent', async () => {
    const broker = await TestBroker.start();
    const sub = await subscriber(broker.url, 'banco/depositos');
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, CORE_PORT: String(await freePort()), MQTT_URL: broker.url, BANCO_RELAY_POLL_MS: '100', BANCO_STATS_INTERVAL_MS: '0' };
    let core: CoreProcess | null = await spawnCore({ ...env, BANCO_FAULTS: 'crash-after-publish' });
    try {
      const client = await TcpClient.open(core.port);
      client.write('AUMENTAR 1350509525 7\n');
      expect(await core.exited).toMatchObject({ signal: 'SIGKILL' });
      client.close();
      await sub.waitFor(1);
      // The same instance restarted takes its lease and its dead predecessor's claims back at once.
      core = await spawnCore(env);
      await sub.waitFor(2);
      const [first, second] = sub.messages;
      expect(second.payload.id).toBe(first.payload.id);
      const unique = new Map(sub.messages.map((m) => [m.payload.id, m]));
      expect(unique.size).toBe(1); // a consumer that dedupes by id sees the deposit once
    } finally {
      core?.proc.kill('SIGTERM');
      await core?.exited;
      await sub.client.endAsync();
      await broker.stop();
    }
  });
});
