/**
 * Compatibility mode replays the old front end's API (CONTRACT §7) with the payloads it sends:
 * every REST endpoint and Socket.IO event answers in the legacy shapes, and balance updates go
 * only to the sockets subscribed to that cédula.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { accounts } from '../../bench/harness';
import { ALICIA, BRUNO, saldo, startTestBank, type TestBank } from './helpers';

let bank: TestBank;

beforeAll(async () => {
  bank = await startTestBank({ BANCO_BRIDGE_COMPAT: 'on' });
});
afterAll(() => bank.stop());

async function legacy(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const money = expect.any(Number);

describe('compatibility REST API', () => {
  it('GET /health says the bridge and the core are up', async () => {
    expect(await legacy('GET', '/health')).toEqual({ status: 200, body: { success: true, action: 'health', data: { status: 'ok', core: 'conectado' } } });
  });

  it('POST /api/consulta {cedula} answers the client with a numeric balance', async () => {
    const r = await legacy('POST', '/api/consulta', { cedula: ALICIA });
    expect(r.body).toEqual({ success: true, action: 'consulta', data: { cedula: ALICIA, nombres: 'Alicia', apellidos: 'Prueba', saldo: Number(await saldo(bank, ALICIA)) } });
  });

  it('POST /api/deposito and /api/retiro {cedula, monto} answer with the new balance', async () => {
    const before = Number(await saldo(bank, ALICIA));
    const dep = await legacy('POST', '/api/deposito', { cedula: ALICIA, monto: 150.5 });
    expect(dep.body).toEqual({ success: true, action: 'deposito', data: { cedula: ALICIA, monto: 150.5, saldo_anterior: before, saldo_nuevo: before + 150.5 } });
    const ret = await legacy('POST', '/api/retiro', { cedula: ALICIA, monto: '50' });
    expect(ret.body).toEqual({ success: true, action: 'retiro', data: { cedula: ALICIA, monto: 50, saldo_anterior: before + 150.5, saldo_nuevo: before + 100.5 } });
  });

  it('POST /api/crear {cedula, nombre} splits the full name as the old server did', async () => {
    const [cedula] = accounts(1);
    const r = await legacy('POST', '/api/crear', { cedula, nombre: 'Ana María López Ruiz' });
    expect(r.body).toEqual({ success: true, action: 'crear', data: { cedula, nombres: 'Ana María', apellidos: 'López Ruiz', saldo: 0 } });
    expect((await legacy('POST', '/api/crear', { cedula, nombre: 'Ana María López Ruiz' })).body).toEqual({ success: false, error: 'Cliente ya existe' });
  });

  it('POST /api/transferir {cedula_origen, cedula_destino, monto} answers with both balances', async () => {
    const r = await legacy('POST', '/api/transferir', { cedula_origen: ALICIA, cedula_destino: BRUNO, monto: 10 });
    expect(r.body).toEqual({ success: true, action: 'transferir', data: { cedula_origen: ALICIA, cedula_destino: BRUNO, monto: 10, saldo_origen: Number(await saldo(bank, ALICIA)), saldo_destino: Number(await saldo(bank, BRUNO)) } });
  });

  it('GET /api/historial/<cedula> lists the movements, newest first', async () => {
    const r = await legacy('GET', `/api/historial/${ALICIA}`);
    expect(r.body).toMatchObject({ success: true, action: 'historial', data: { cedula: ALICIA } });
    const list = (r.body.data as { transacciones: unknown[] }).transacciones;
    expect(list[0]).toEqual({ tipo: 'TRANSFERENCIA_ENVIADA', monto: 10, saldo_final: money, fecha: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
  });

  it('GET /api/stats answers the core statistics', async () => {
    expect((await legacy('GET', '/api/stats')).body).toEqual({ success: true, action: 'stats', data: { clientes_conectados: expect.any(Number), total_transacciones: expect.any(Number), ips_activas: expect.any(Number) } });
  });

  it('refusals are {success: false, error} and change nothing', async () => {
    const before = await saldo(bank, ALICIA);
    expect(await legacy('POST', '/api/consulta', { cedula: '1315151515' })).toEqual({ status: 404, body: { success: false, error: 'Cliente no encontrado' } });
    expect((await legacy('POST', '/api/retiro', { cedula: ALICIA, monto: 1e9 })).body).toMatchObject({ success: false, error: expect.any(String) });
    expect((await legacy('POST', '/api/deposito', { cedula: ALICIA, monto: -5 })).body).toEqual({ success: false, error: 'El monto debe ser positivo' });
    expect((await legacy('POST', '/api/crear', { cedula: ALICIA, nombre: 'Solo' })).body).toEqual({ success: false, error: 'Debe proporcionar al menos nombre y apellido' });
    expect(await saldo(bank, ALICIA)).toBe(before);
  });

  it('allows the old front end’s origin, and no other, to call it from the browser', async () => {
    const ok = await fetch(`${bank.url}/api/consulta`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await fetch(`${bank.url}/api/consulta`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('compatibility Socket.IO API', () => {
  function legacySocket(): Promise<Socket> {
    const s = connect(bank.url, { transports: ['websocket'], reconnection: false });
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }

  function next<T>(s: Socket, event: string, match: (p: T) => boolean = () => true): Promise<T> {
    return new Promise((resolve) => {
      const on = (p: T): void => {
        if (!match(p)) return;
        s.off(event, on);
        resolve(p);
      };
      s.on(event, on);
    });
  }

  it('subscribe_balance {cedula} answers balance_updated and transactions_updated, then every change of that cédula only', async () => {
    const a = await legacySocket();
    const b = await legacySocket();
    const seenByA: Array<{ cedula: string }> = [];
    a.on('balance_updated', (p: { cedula: string }) => seenByA.push(p));
    const first = next<{ cedula: string; balance: number }>(a, 'balance_updated');
    const list = next<{ cedula: string; transactions: unknown[] }>(a, 'transactions_updated');
    a.emit('subscribe_balance', { cedula: ALICIA });
    expect(await first).toEqual({ cedula: ALICIA, balance: Number(await saldo(bank, ALICIA)) });
    expect(await list).toMatchObject({ cedula: ALICIA, transactions: expect.arrayContaining([expect.objectContaining({ tipo: 'TRANSFERENCIA_ENVIADA', monto: 10 })]) });
    const bFirst = Promise.all([next(b, 'balance_updated'), next(b, 'transactions_updated')]);
    b.emit('subscribe_balance', { cedula: BRUNO });
    await bFirst;

    const brunoUpdate = next<{ cedula: string; balance: number }>(b, 'balance_updated');
    const brunoList = next<{ cedula: string; transactions: Array<{ monto: number }> }>(b, 'transactions_updated');
    await bank.coreRequest({ op: 'depositar', cedula: BRUNO, monto: '33.33' });
    expect(await brunoUpdate).toEqual({ cedula: BRUNO, balance: Number(await saldo(bank, BRUNO)) });
    expect((await brunoList).transactions[0]).toMatchObject({ tipo: 'DEPOSITO', monto: 33.33 });
    const before = await saldo(bank, ALICIA);
    const aliciaUpdate = next<{ cedula: string; balance: number }>(a, 'balance_updated', (p) => p.balance === Number(before) + 1);
    await bank.coreRequest({ op: 'depositar', cedula: ALICIA, monto: '1' });
    await aliciaUpdate;
    expect(seenByA.every((p) => p.cedula === ALICIA)).toBe(true);
    a.close();
    b.close();
  });

  it('stats_updated reaches compatibility sockets when the core publishes its statistics', async () => {
    const s = await legacySocket();
    const stats = next(s, 'stats_updated');
    await bank.coreRequest({ op: 'estadisticas' });
    expect(await stats).toEqual({ clientes_conectados: expect.any(Number), total_transacciones: expect.any(Number), ips_activas: expect.any(Number) });
    s.close();
  });

  it('subscribe_balance with an invalid cédula answers subscription_error', async () => {
    const s = await legacySocket();
    const err = next(s, 'subscription_error');
    s.emit('subscribe_balance', { cedula: '../1712345675' });
    expect(await err).toEqual({ error: 'Cédula inválida' });
    s.close();
  });
});
