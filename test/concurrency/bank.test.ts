/**
 * The bank invariant under concurrency: after many clients moved money at once, the total equals
 * initial + deposits − withdrawals, no balance is negative, and every acknowledged operation is in
 * the history — on SQLite with one process, and on MariaDB with two core processes.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { createTestDatabase, describeWith } from '../helpers/services';
import { subscriber, TestBroker } from '../helpers/mqtt-broker';
import { TcpClient } from '../helpers/tcp-client';
import { tempDir } from '../helpers/core';
import { runBankWorkload, type WorkloadResult } from './bank-workload';

const ACCOUNTS = ['1350509525', '1712345675', '0900000019', '1710034065', '0102030400', '0912345675'];
const INITIAL_CENTS = 100_000; // 1,000.00 each

interface DbView {
  balances: number[];
  history: Array<{ transaccion_id: string }>;
}

async function openAccounts(port: number): Promise<void> {
  const c = await TcpClient.open(port);
  for (const cedula of ACCOUNTS) {
    const created = await c.json({ id: 1, op: 'crear', cedula, nombres: 'Cliente', apellidos: cedula });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const funded = await c.json({ id: 2, op: 'depositar', cedula, monto: '1000.00' });
    if (!funded.ok) throw new Error(JSON.stringify(funded));
  }
  c.close();
}

function check(view: DbView, result: WorkloadResult): void {
  const total = view.balances.reduce((a, b) => a + b, 0);
  expect(view.balances.every((b) => b >= 0)).toBe(true);
  expect(total).toBe(ACCOUNTS.length * INITIAL_CENTS + result.depositedCents - result.withdrawnCents);
  expect(result.negativeReads).toBe(0);
  const rows = new Map<string, number>();
  for (const h of view.history) rows.set(h.transaccion_id, (rows.get(h.transaccion_id) ?? 0) + 1);
  for (const [id, expected] of result.acknowledged) expect([id, rows.get(id)]).toEqual([id, expected]);
  // Nothing unacknowledged slipped in either (the funding deposits aside).
  expect(view.history.length).toBe([...result.acknowledged.values()].reduce((a, b) => a + b, 0) + ACCOUNTS.length);
  expect(result.acknowledged.size).toBeGreaterThan(500);
}

describe('bank invariant on SQLite, one core process, 32 clients', () => {
  let core: CoreProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    core = await spawnCore({ DATA_DIR: dataDir, BANCO_DEMO_DATA: 'off', BANCO_RELAY: 'off' });
    await openAccounts(core.port);
  });
  afterAll(async () => {
    core.proc.kill('SIGTERM');
    expect((await core.exited).code).toBe(0);
  });

  it('keeps the total, never goes negative, and records every acknowledged operation', async () => {
    const result = await runBankWorkload([core.port], ACCOUNTS, { clients: 32, opsPerClient: 80, seed: 7 });
    const db = new Database(path.join(dataDir, 'banco.db'), { readonly: true });
    const view: DbView = {
      balances: (db.prepare('SELECT saldo_centavos AS s FROM clientes').all() as Array<{ s: number }>).map((r) => r.s),
      history: db.prepare('SELECT transaccion_id FROM transacciones').all() as Array<{ transaccion_id: string }>,
    };
    db.close();
    check(view, result);
  });
});

describeWith('mysql', 'bank invariant on MariaDB, two core processes, 32 clients', () => {
  let database: { url: string; drop: () => Promise<void> };
  let cores: CoreProcess[];
  let broker: TestBroker;
  let sub: Awaited<ReturnType<typeof subscriber>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    broker = await TestBroker.start();
    sub = await subscriber(broker.url, 'banco/transacciones');
    const env = { DATABASE_URL: database.url, BANCO_DEMO_DATA: 'off', MQTT_URL: broker.url, BANCO_RELAY_POLL_MS: '50', BANCO_STATS_INTERVAL_MS: '0' };
    cores = [await spawnCore({ ...env, DATA_DIR: tempDir() }), await spawnCore({ ...env, DATA_DIR: tempDir() })];
    await openAccounts(cores[0].port);
  });

  afterAll(async () => {
    for (const c of cores) c.proc.kill('SIGTERM');
    for (const c of cores) expect((await c.exited).code).toBe(0);
    await sub.client.endAsync();
    await broker.stop();
    await database.drop();
  });

  it('keeps the total, never goes negative, records every acknowledged operation, and relays each event once', async () => {
    const result = await runBankWorkload(cores.map((c) => c.port), ACCOUNTS, { clients: 32, opsPerClient: 80, seed: 11 });
    const conn = await createConnection(database.url);
    const [balances] = await conn.query('SELECT saldo FROM clientes');
    const [history] = await conn.query('SELECT transaccion_id FROM transacciones');
    const rowsWaiting = async () => {
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM outbox WHERE enviado_ms IS NULL');
      return Number((rows as Array<{ n: number }>)[0].n);
    };
    const deadline = Date.now() + 15_000;
    while ((await rowsWaiting()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [outbox] = await conn.query("SELECT id FROM outbox WHERE topic = 'transacciones'");
    await conn.end();
    check(
      {
        balances: (balances as Array<{ saldo: string }>).map((r) => Math.round(Number(r.saldo) * 100)),
        history: history as Array<{ transaccion_id: string }>,
      },
      result,
    );
    // Both processes relayed; in normal operation no row goes out twice.
    const expected = (outbox as Array<{ id: string }>).map((r) => r.id);
    await sub.waitFor(expected.length);
    await new Promise((r) => setTimeout(r, 300));
    const ids = sub.messages.map((m) => m.payload.id as string);
    expect(ids.length).toBe(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
  });
});
