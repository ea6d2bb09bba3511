/**
 * Several core processes on one MariaDB: one relays (the leader, by a lease in the database), the
 * other stands by. Every subscriber sees each account's versions strictly increasing (CONTRACT §5),
 * and after kill -9 of the leader the stand-by takes over and publishes the rest.
 */
import { createConnection } from 'mysql2/promise';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { subscriber, TestBroker, type Received } from '../helpers/mqtt-broker';
import { createTestDatabase, describeWith } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';
import { prng } from './bank-workload';

const ACCOUNTS = ['1350509525', '1712345675', '0900000019', '1710034065'];
const MOVEMENTS = 2000;
const CLIENTS = 16;
const LEADER_LEASE_MS = 2000;

/** `count` random deposits, withdrawals and transfers over the accounts, spread over `ports`. */
async function move(ports: number[], count: number, seed: number): Promise<number> {
  let acknowledged = 0;
  const worker = async (n: number): Promise<void> => {
    const random = prng(seed + n);
    const client = await TcpClient.open(ports[n % ports.length]);
    const pick = (): string => ACCOUNTS[Math.floor(random() * ACCOUNTS.length)];
    try {
      for (let i = n; i < count; i += CLIENTS) {
        const r = random();
        const request =
          r < 0.4 ? { id: i, op: 'depositar', cedula: pick(), monto: '2.00' } : r < 0.6 ? { id: i, op: 'retirar', cedula: pick(), monto: '1.00' } : { id: i, op: 'transferir', origen: ACCOUNTS[i % 4], destino: ACCOUNTS[(i + 1) % 4], monto: '1.00' };
        const reply = await client.json(request);
        if (reply.ok === true) acknowledged += 1;
      }
    } finally {
      client.close();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => worker(n)));
  return acknowledged;
}

/** Per account and topic, the versions in the order first seen (a consumer dedupes by id). */
function versionsSeen(messages: Received[]): Map<string, number[]> {
  const seen = new Set<unknown>();
  const out = new Map<string, number[]>();
  const add = (key: string, version: unknown): void => {
    if (typeof version !== 'number') throw new Error(`no version on ${key}`);
    out.set(key, [...(out.get(key) ?? []), version]);
  };
  for (const m of messages) {
    if (seen.has(m.payload.id)) continue;
    seen.add(m.payload.id);
    const topic = m.topic.replace(/^banco\//, '');
    if (topic.startsWith('saldo/') || topic === 'transacciones') add(`${topic}:${String(m.payload.cedula)}`, m.payload.version);
    if (topic === 'transferencias') {
      add(`transferencias:${String(m.payload.cedula_origen)}`, m.payload.version_origen);
      add(`transferencias:${String(m.payload.cedula_destino)}`, m.payload.version_destino);
    }
  }
  return out;
}

const strictlyIncreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]);

describeWith('mysql', 'relay leader on MariaDB with two core processes', () => {
  it('keeps every account\'s versions strictly increasing for subscribers, and the stand-by publishes the rest after kill -9 of the leader', async () => {
    const database = await createTestDatabase();
    const broker = await TestBroker.start();
    const subs = [await subscriber(broker.url, 'banco/#'), await subscriber(broker.url, ['banco/saldo/+', 'banco/transferencias'])];
    const env = {
      DATABASE_URL: database.url,
      BANCO_DEMO_DATA: 'off',
      MQTT_URL: broker.url,
      BANCO_RELAY_POLL_MS: '50',
      BANCO_STATS_INTERVAL_MS: '0',
      BANCO_RELAY_LEADER_LEASE_MS: String(LEADER_LEASE_MS),
      BANCO_RELAY_HEARTBEAT_MS: '500',
    };
    const cores: CoreProcess[] = [await spawnCore({ ...env, DATA_DIR: tempDir() }), await spawnCore({ ...env, DATA_DIR: tempDir() })];
    try {
      const setup = await TcpClient.open(cores[0].port);
      for (const cedula of ACCOUNTS) {
        expect(await setup.json({ id: 1, op: 'crear', cedula, nombres: 'Cliente', apellidos: cedula })).toMatchObject({ ok: true });
        expect(await setup.json({ id: 2, op: 'depositar', cedula, monto: '5000.00' })).toMatchObject({ ok: true });
      }
      setup.close();
      const leaderIndex = cores.findIndex((c) => c.stderr().includes('"relay.leader"'));
      expect(leaderIndex).toBeGreaterThanOrEqual(0);
      expect(cores.filter((c) => c.stderr().includes('"relay.leader"'))).toHaveLength(1);
      const [leader, standBy] = leaderIndex === 0 ? cores : [cores[1], cores[0]];

      expect(await move(cores.map((c) => c.port), MOVEMENTS / 2, 1)).toBeGreaterThan(MOVEMENTS / 4);
      leader.proc.kill('SIGKILL');
      await leader.exited;
      const killedAt = Date.now();
      const rest = move([standBy.port], MOVEMENTS / 2, 2);
      // The stand-by leads once the lease has expired: within the lease and a couple of heartbeats.
      while (!standBy.stderr().includes('"relay.leader"') && Date.now() - killedAt < 15_000) await new Promise((r) => setTimeout(r, 20));
      expect(Date.now() - killedAt).toBeLessThan(LEADER_LEASE_MS + 2000);
      expect(await rest).toBeGreaterThan(MOVEMENTS / 4);

      // The stand-by takes the lease once it expires, clears the dead leader's claims, publishes all.
      const conn = await createConnection(database.url);
      const pending = async (): Promise<number> => Number(((await conn.query('SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL'))[0] as Array<{ n: number }>)[0].n);
      while ((await pending()) > 0 && Date.now() - killedAt < 30_000) await new Promise((r) => setTimeout(r, 100));
      expect(await pending()).toBe(0);
      const [rows] = await conn.query('SELECT id FROM outbox');
      await conn.end();
      const ids = (rows as Array<{ id: string }>).map((r) => r.id);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !ids.every((id) => subs[0].messages.some((m) => m.payload.id === id))) await new Promise((r) => setTimeout(r, 100));
      const events = subs[0].messages.filter((m) => m.payload.event !== 'publisher_disconnected'); // the dead leader's will
      expect(new Set(events.map((m) => m.payload.id))).toEqual(new Set(ids));

      for (const sub of subs) {
        const seen = versionsSeen(sub.messages);
        expect(seen.size).toBeGreaterThan(0);
        for (const [key, versions] of seen) expect([key, strictlyIncreasing(versions)]).toEqual([key, true]);
      }
      // Nothing missing either: each account's retained-balance versions run 2, 3, … without a gap.
      for (const cedula of ACCOUNTS) {
        const versions = versionsSeen(subs[0].messages).get(`saldo/${cedula}:${cedula}`)!;
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 2));
      }
    } finally {
      for (const c of cores) c.proc.kill('SIGTERM');
      for (const c of cores) await c.exited;
      for (const sub of subs) await sub.client.endAsync();
      await broker.stop();
      await database.drop();
    }
  });
});
