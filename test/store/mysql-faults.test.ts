/**
 * MySQL/MariaDB under real faults (issue 8): a stalled server, a server that stops answering,
 * a connection lost during COMMIT. Real MariaDB; a TCP proxy only for the cuts and the silence.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { loadCoreConfig, type CoreConfig } from '../../core/config';
import { createLedger } from '../../core/core-service';
import { HubError } from '../../core/errors';
import type { Ledger } from '../../core/ledger/ledger';
import { LIMITS } from '../../core/limits';
import { openMysqlStore, type MysqlWaits } from '../../core/store/mysql-store';
import type { Store } from '../../core/store/store';
import { fixedClock, startTestCore } from '../helpers/core';
import { MysqlProxy } from '../helpers/mysql-proxy';
import { createTestDatabase, describeWith } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';

const A = '1350509525';
const B = '1712345675';

/** The wire code a request ends with: its rule refusal, its thrown HubError, or "ok". */
async function outcome(request: Promise<{ ok: boolean; code?: string }>): Promise<string> {
  try {
    const r = await request;
    return r.ok ? 'ok' : (r.code ?? 'refused');
  } catch (err) {
    if (err instanceof HubError) return err.code;
    throw err;
  }
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describeWith('mysql', 'MySQL/MariaDB under faults', () => {
  let db: { url: string; drop: () => Promise<void> };
  let store: Store | null = null;
  let ledger: Ledger;
  let proxy: MysqlProxy | null = null;
  let config: CoreConfig;

  async function open(url: string, waits: MysqlWaits = LIMITS, limits: Partial<CoreConfig['limits']> = {}): Promise<void> {
    const opened = openMysqlStore({ url, connectionsMax: 4, retriesMax: 5, waits });
    store = opened;
    await opened.migrate();
    config = loadCoreConfig({ DATA_DIR: '/tmp/unused', DATABASE_URL: url });
    ledger = createLedger(opened, { ...config, limits: { ...config.limits, ...limits } }, fixedClock());
  }

  async function balance(cedula: string): Promise<number> {
    const admin = await createConnection(db.url);
    try {
      const [rows] = await admin.query('SELECT saldo FROM clientes WHERE cedula = ?', [cedula]);
      return Math.round(Number((rows as Array<{ saldo: string }>)[0].saldo) * 100);
    } finally {
      await admin.end();
    }
  }

  beforeEach(async () => {
    db = await createTestDatabase('banco_fault');
  });

  afterEach(async () => {
    if (store) {
      await ledger.idle();
      await store.close();
      store = null;
    }
    await proxy?.close();
    proxy = null;
    await db.drop();
  });

  describe('a stalled server', () => {
    let locker: Connection | null = null;

    afterEach(async () => {
      await locker?.end();
      locker = null;
    });

    it('answers NO_DISPONIBLE within a few seconds to writes, queued writes and reads while another session holds the tables, and works again after', async () => {
      // BANCO_BATCH_MAX 1: eight movements are eight batches, two committing at a time, the rest
      // queued behind the stall (batch_queue_wait_ms bounds their wait).
      await open(db.url, LIMITS, { batch_operations_max: 1, batch_queue_wait_ms: 1000 });
      expect(await outcome(ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' }))).toBe('ok');
      // A stall of this test's database only: another session write-locks its tables.
      locker = await createConnection(db.url);
      await locker.query('LOCK TABLES clientes WRITE, transacciones WRITE, outbox WRITE, idempotencia WRITE');
      try {
        const { value, ms } = await timed(
          Promise.all([...Array.from({ length: 8 }, () => outcome(ledger.depositar({ cedula: A, monto: '1' }))), outcome(ledger.consulta(A))]),
        );
        expect(value).toEqual(Array.from({ length: 9 }, () => 'NO_DISPONIBLE'));
        expect(ms).toBeLessThan((LIMITS.db_lock_wait_s + 3) * 1000);
      } finally {
        await locker.query('UNLOCK TABLES');
      }
      expect(await outcome(ledger.depositar({ cedula: A, monto: '1' }))).toBe('ok');
      expect(await balance(A)).toBe(100);
    }, 30_000);

    it('answers NO_DISPONIBLE within a few seconds while another session holds the account row, and moves the money once it is free', async () => {
      await open(db.url);
      expect(await outcome(ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' }))).toBe('ok');
      locker = await createConnection(db.url);
      await locker.query('START TRANSACTION');
      await locker.query('SELECT saldo FROM clientes WHERE cedula = ? FOR UPDATE', [A]);
      try {
        const { value, ms } = await timed(outcome(ledger.depositar({ cedula: A, monto: '1' })));
        expect(value).toBe('NO_DISPONIBLE');
        expect(ms).toBeLessThan((LIMITS.db_lock_wait_s + 3) * 1000);
      } finally {
        await locker.query('ROLLBACK');
      }
      expect(await outcome(ledger.depositar({ cedula: A, monto: '1' }))).toBe('ok');
      expect(await balance(A)).toBe(100);
    }, 30_000);

    it('answers NO_DISPONIBLE within the statement deadline when the server stops answering, to the request running and to those waiting for a connection', async () => {
      proxy = await MysqlProxy.start(db.url);
      const waits = { ...LIMITS, db_query_timeout_ms: 1500, db_acquire_timeout_ms: 1500 };
      const opened = openMysqlStore({ url: proxy.urlFor(db.url), connectionsMax: 1, retriesMax: 5, waits });
      store = opened;
      await opened.migrate();
      ledger = createLedger(opened, loadCoreConfig({ DATA_DIR: '/tmp/unused', DATABASE_URL: db.url }), fixedClock());
      expect(await outcome(ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' }))).toBe('ok');
      proxy.pause();
      const { value, ms } = await timed(Promise.all([outcome(ledger.depositar({ cedula: A, monto: '1' })), outcome(ledger.consulta(A)), outcome(ledger.historial(A))]));
      expect(value).toEqual(['NO_DISPONIBLE', 'NO_DISPONIBLE', 'NO_DISPONIBLE']);
      expect(ms).toBeLessThan(4000);
      proxy.resume();
      expect(await outcome(ledger.depositar({ cedula: A, monto: '2' }))).toBe('ok');
      expect(await balance(A)).toBe(200); // the cut deposit never committed: its COMMIT was never sent
    }, 30_000);

    it('refuses at once what would wait past the pool queue bound', async () => {
      proxy = await MysqlProxy.start(db.url);
      const waits = { ...LIMITS, db_query_timeout_ms: 2000, db_acquire_timeout_ms: 2000, db_pool_queue_max: 1 };
      const opened = openMysqlStore({ url: proxy.urlFor(db.url), connectionsMax: 1, retriesMax: 5, waits });
      store = opened;
      await opened.migrate();
      ledger = createLedger(opened, loadCoreConfig({ DATA_DIR: '/tmp/unused', DATABASE_URL: db.url }), fixedClock());
      expect(await outcome(ledger.consulta(A))).toBe('CLIENTE_NO_ENCONTRADO'); // one connection open
      proxy.pause();
      const reads = [ledger.consulta(A), ledger.consulta(A), ledger.consulta(A)].map(outcome);
      const third = await timed(reads[2]);
      expect(third).toMatchObject({ value: 'NO_DISPONIBLE' });
      expect(third.ms).toBeLessThan(500);
      expect(await Promise.all(reads)).toEqual(['NO_DISPONIBLE', 'NO_DISPONIBLE', 'NO_DISPONIBLE']);
      proxy.resume();
    }, 30_000);
  });

  describe('a connection lost during COMMIT', () => {
    beforeEach(async () => {
      proxy = await MysqlProxy.start(db.url);
      await open(proxy.urlFor(db.url));
      expect(await outcome(ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' }))).toBe('ok');
      expect(await outcome(ledger.crear({ cedula: B, nombres: 'Ana', apellidos: 'López' }))).toBe('ok');
      expect(await outcome(ledger.depositar({ cedula: A, monto: '100' }))).toBe('ok');
    });

    it('answers the real result when the server committed before the connection was cut', async () => {
      proxy!.failNextCommit('forward-then-cut');
      const r = await ledger.transferir({ origen: A, destino: B, monto: '40' });
      expect(proxy!.faults).toBe(1);
      expect(r).toMatchObject({ ok: true, saldo_origen: 6000, saldo_destino: 4000 });
      expect(await balance(A)).toBe(6000);
      expect(await balance(B)).toBe(4000);
    });

    it('answers NO_DISPONIBLE, and changes nothing, when the COMMIT never reached the server', async () => {
      proxy!.failNextCommit('drop-and-cut');
      expect(await outcome(ledger.transferir({ origen: A, destino: B, monto: '40', ref: 'pago-1' }))).toBe('NO_DISPONIBLE');
      expect(proxy!.faults).toBe(1);
      expect(await balance(A)).toBe(10000);
      // Retrying with the same ref is safe, and now applies once.
      expect(await ledger.transferir({ origen: A, destino: B, monto: '40', ref: 'pago-1' })).toMatchObject({ ok: true, saldo_origen: 6000 });
    });

    it('answers RESULTADO_INCIERTO, never a retriable code, when the outcome cannot be looked up', async () => {
      proxy!.failNextCommit('forward-then-cut-all');
      const code = await outcome(ledger.retirar({ cedula: A, monto: '30' }));
      expect(proxy!.faults).toBe(1);
      expect(code).toBe('RESULTADO_INCIERTO');
      expect(new HubError('RESULTADO_INCIERTO').retriable).toBe(false);
      expect(await balance(A)).toBe(7000); // it did commit: a "try again" would have withdrawn twice
    });
  });

  it('tells JSON and legacy clients the outcome is unknown, with a code of its own, when the look-up fails', async () => {
    proxy = await MysqlProxy.start(db.url);
    const core = await startTestCore({ DATABASE_URL: proxy.urlFor(db.url), BANCO_DEMO_DATA: 'off' });
    const client = await TcpClient.open(core.port);
    const legacy = await TcpClient.open(core.port);
    try {
      expect(await client.json({ id: 1, op: 'crear', cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' })).toMatchObject({ ok: true });
      expect(await client.json({ id: 2, op: 'depositar', cedula: A, monto: '100' })).toMatchObject({ ok: true });
      proxy.failNextCommit('forward-then-cut-all');
      expect(await client.json({ id: 3, op: 'retirar', cedula: A, monto: '10', ref: 'r-1' })).toMatchObject({ ok: false, error: { code: 'RESULTADO_INCIERTO' } });
      proxy.acceptAgain();
      proxy.failNextCommit('forward-then-cut-all');
      expect(await legacy.command(`DISMINUIR ${A} 10`)).toBe('ERROR|No se sabe si la operación se aplicó; consulte su saldo antes de repetirla');
      proxy.acceptAgain();
      // Both did commit; the ref answers the first result.
      expect(await client.json({ id: 4, op: 'consulta', cedula: A })).toMatchObject({ ok: true, cliente: { saldo: '80.00' } });
      expect(await client.json({ id: 5, op: 'retirar', cedula: A, monto: '10', ref: 'r-1' })).toMatchObject({ ok: true, saldo_nuevo: '90.00' });
    } finally {
      client.close();
      legacy.close();
      await core.stop();
    }
  }, 30_000);
});
