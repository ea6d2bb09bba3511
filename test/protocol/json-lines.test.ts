/**
 * The JSON-lines protocol (CONTRACT §4): every op, every error code a client can cause over the
 * wire, pipelining, amount formatting and idempotent replays. Each test gets a fresh core with
 * the demo data (CONTRACT §2) on its own SQLite file.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock';
import { ERROR_CODES, HubError, type ErrorCode } from '../../core/errors';
import { fixedClock, startTestCore, tempDir } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;
type Reply = Record<string, unknown>;

const TOKEN = 'test-token-0123456789abcdef';
const FECHA = '2026-01-15 10:30:00';

/** Codes these tests have seen on the wire; the last test checks all of ERROR_CODES is here. */
const produced = new Set<string>();

function expectError(reply: Reply, code: ErrorCode, id: unknown = expect.anything()): void {
  expect(reply).toEqual({ id, ok: false, error: expect.objectContaining({ code, message: expect.any(String) }) });
  produced.add(code);
}

/** A clock the test moves by hand (PIN lock expiry). */
function manualClock(iso: string): Clock & { advance(ms: number): void } {
  let ms = new Date(iso).getTime();
  return { now: () => new Date(ms), advance: (by) => (ms += by) };
}

const cores: Core[] = [];
const clients: TcpClient[] = [];

async function start(env: Record<string, string> = {}, clock: Clock = fixedClock()): Promise<Core> {
  const core = await startTestCore(env, clock);
  cores.push(core);
  return core;
}

async function connect(core: Core): Promise<TcpClient> {
  const c = await TcpClient.open(core.port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(cores.splice(0).map((c) => c.stop()));
});

async function demo(): Promise<TcpClient> {
  return connect(await start());
}

describe('JSON-lines ops', () => {
  test('ping answers pong and echoes the id', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'ping' })).toEqual({ id: 1, ok: true, pong: true });
  });

  test('any JSON value is echoed as the id, and a missing id comes back as null', async () => {
    const c = await demo();
    for (const id of ['abc', 0, -1.5, true, null, { a: [1, 'x'] }, [1, 2]]) expect(await c.json({ id, op: 'ping' })).toEqual({ id, ok: true, pong: true });
    expect(await c.json({ op: 'ping' })).toEqual({ id: null, ok: true, pong: true });
  });

  test('consulta answers the client with the balance as a two-decimal string', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'consulta', cedula: '1720304050' })).toEqual({
      id: 1,
      ok: true,
      cliente: { cedula: '1720304050', nombres: 'María Elena', apellidos: 'Rodríguez López', saldo: '2350.75' },
    });
    expect(await c.json({ id: 2, op: 'consulta', cedula: '0987654321' })).toMatchObject({ cliente: { saldo: '890.50' } });
  });

  test('crear without a pin opens an account with 0.00 that no PIN unlocks', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'crear', cedula: '1712345675', nombres: 'Ana  Lucía', apellidos: ' Torres Vega ' })).toEqual({
      id: 1,
      ok: true,
      cliente: { cedula: '1712345675', nombres: 'Ana Lucía', apellidos: 'Torres Vega', saldo: '0.00' },
    });
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1712345675' })).toMatchObject({ ok: true, cliente: { saldo: '0.00' } });
    expectError(await c.json({ id: 3, op: 'verificar_pin', cedula: '1712345675', pin: '1234' }), 'PIN_INCORRECTO');
  });

  test('crear with a pin opens an account that verificar_pin accepts with that pin only', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'crear', cedula: '0900000019', nombres: 'Luis', apellidos: 'Mora', pin: '908172' })).toMatchObject({ ok: true, cliente: { cedula: '0900000019' } });
    expect(await c.json({ id: 2, op: 'verificar_pin', cedula: '0900000019', pin: '908172' })).toEqual({ id: 2, ok: true, valido: true });
    expectError(await c.json({ id: 3, op: 'verificar_pin', cedula: '0900000019', pin: '1234' }), 'PIN_INCORRECTO', 3);
  });

  test('verificar_pin accepts the demo PIN for demo clients', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'verificar_pin', cedula: '1315151515', pin: '1234' })).toEqual({ id: 1, ok: true, valido: true });
  });

  test('depositar answers the transaction id, the amount and both balances', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '150' })).toEqual({
      id: 1,
      ok: true,
      transaccion_id: expect.any(String),
      cedula: '1315151515',
      monto: '150.00',
      saldo_anterior: '1500.00',
      saldo_nuevo: '1650.00',
      version: 2, // the account's version after it (CONTRACT §5), as in its events
    });
  });

  test('numbers are accepted for monto and amounts always print with two decimals', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: 150.5 })).toMatchObject({ ok: true, monto: '150.50', saldo_nuevo: '1650.50' });
    expect(await c.json({ id: 2, op: 'depositar', cedula: '1315151515', monto: 0.07 })).toMatchObject({ ok: true, monto: '0.07', saldo_nuevo: '1650.57' });
    expect(await c.json({ id: 3, op: 'retirar', cedula: '1315151515', monto: 1000 })).toMatchObject({ ok: true, monto: '1000.00', saldo_nuevo: '650.57' });
    expect(await c.json({ id: 4, op: 'depositar', cedula: '1315151515', monto: '0.5' })).toMatchObject({ ok: true, monto: '0.50', saldo_nuevo: '651.07' });
  });

  test('retirar answers the transaction id and both balances, and may empty the account', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'retirar', cedula: '0912345678', monto: '450.25' })).toEqual({
      id: 1,
      ok: true,
      transaccion_id: expect.any(String),
      cedula: '0912345678',
      monto: '450.25',
      saldo_anterior: '450.25',
      saldo_nuevo: '0.00',
      version: 2,
    });
  });

  test('transferir answers the transaction id and both new balances', async () => {
    const c = await demo();
    expect(await c.json({ id: 't', op: 'transferir', origen: '1350509525', destino: '1315151515', monto: '250.25' })).toEqual({
      id: 't',
      ok: true,
      transaccion_id: expect.any(String),
      origen: '1350509525',
      destino: '1315151515',
      monto: '250.25',
      saldo_origen: '4749.75',
      saldo_destino: '1750.25',
      version_origen: 2,
      version_destino: 2,
    });
  });

  test('historial lists movements newest first, 10 by default, as many as limite asks', async () => {
    const c = await demo();
    for (let i = 1; i <= 12; i++) await c.json({ id: i, op: 'depositar', cedula: '1104567890', monto: i });
    const t = await c.json({ id: 't', op: 'transferir', origen: '1104567890', destino: '1350509525', monto: '0.01' });
    const all = await c.json({ id: 'h', op: 'historial', cedula: '1104567890' });
    const movimientos = all.movimientos as Reply[];
    expect(all).toMatchObject({ id: 'h', ok: true, cedula: '1104567890' });
    expect(movimientos).toHaveLength(10);
    expect(movimientos[0]).toEqual({ id: expect.any(Number), tipo: 'TRANSFERENCIA_ENVIADA', monto: '0.01', saldo_final: '3277.99', fecha: FECHA, transaccion_id: t.transaccion_id, contraparte: '1350509525' });
    expect(movimientos[1]).toMatchObject({ tipo: 'DEPOSITO', monto: '12.00', saldo_final: '3278.00', contraparte: null });
    expect(movimientos.map((m) => m.monto)).toEqual(['0.01', '12.00', '11.00', '10.00', '9.00', '8.00', '7.00', '6.00', '5.00', '4.00']);
    expect(((await c.json({ id: 2, op: 'historial', cedula: '1104567890', limite: 3 })).movimientos as Reply[]).map((m) => m.monto)).toEqual(['0.01', '12.00', '11.00']);
    expect((await c.json({ id: 3, op: 'historial', cedula: '1104567890', limite: 100 })).movimientos).toHaveLength(13);
    expect(await c.json({ id: 4, op: 'historial', cedula: '1350509525' })).toMatchObject({ movimientos: [{ tipo: 'TRANSFERENCIA_RECIBIDA', monto: '0.01', saldo_final: '5000.01', contraparte: '1104567890' }] });
    expect(await c.json({ id: 5, op: 'historial', cedula: '0987654321' })).toEqual({ id: 5, ok: true, cedula: '0987654321', movimientos: [] });
  });

  test('estadisticas counts connections, addresses and committed history rows', async () => {
    const core = await start();
    const c = await connect(core);
    expect(await c.json({ id: 1, op: 'estadisticas' })).toEqual({ id: 1, ok: true, clientes_conectados: 1, ips_activas: 1, total_transacciones: 0 });
    await c.json({ id: 2, op: 'transferir', origen: '1350509525', destino: '1315151515', monto: 1 });
    const d = await connect(core);
    expect(await d.json({ id: 3, op: 'estadisticas' })).toEqual({ id: 3, ok: true, clientes_conectados: 2, ips_activas: 1, total_transacciones: 2 });
  });

  test('auth with the configured token lets the connection use every op', async () => {
    const c = await connect(await start({ BANCO_CORE_TOKEN: TOKEN }));
    expect(await c.json({ id: 1, op: 'auth', token: TOKEN })).toEqual({ id: 1, ok: true });
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1315151515' })).toMatchObject({ ok: true, cliente: { saldo: '1500.00' } });
  });

  test('auth succeeds trivially when no token is configured', async () => {
    const c = await demo();
    expect(await c.json({ id: 1, op: 'auth', token: 'anything' })).toEqual({ id: 1, ok: true });
  });
});

describe('JSON-lines pipelining', () => {
  test('pipelined requests are all answered, each with its own id', async () => {
    const c = await demo();
    const requests = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? { id: `d${i}`, op: 'depositar', cedula: '1315151515', monto: '1.00' } : { id: `c${i}`, op: 'consulta', cedula: '1350509525' }));
    const replies = await c.pipeline(requests);
    expect([...replies.keys()].sort()).toEqual(requests.map((r) => r.id).sort());
    for (const r of requests) expect(replies.get(r.id)).toMatchObject({ id: r.id, ok: true });
    const saldos = requests.filter((r) => r.op === 'depositar').map((r) => replies.get(r.id)!.saldo_nuevo).sort();
    expect(saldos).toEqual(Array.from({ length: 50 }, (_, i) => `${1501 + i}.00`).sort());
    expect(await c.json({ id: 'end', op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1550.00' } });
  });

  test('a pipelined auth takes effect for the requests after it', async () => {
    const c = await connect(await start({ BANCO_CORE_TOKEN: TOKEN }));
    const replies = await c.pipeline([
      { id: 1, op: 'consulta', cedula: '1315151515' },
      { id: 2, op: 'auth', token: TOKEN },
      { id: 3, op: 'consulta', cedula: '1315151515' },
    ]);
    expectError(replies.get(1)!, 'NO_AUTORIZADO', 1);
    expect(replies.get(2)).toEqual({ id: 2, ok: true });
    expect(replies.get(3)).toMatchObject({ id: 3, ok: true });
  });
});

describe('JSON-lines idempotency keys', () => {
  test('repeating a deposit with the same ref returns the first result and changes nothing', async () => {
    const c = await demo();
    const first = await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '10', ref: 'dep-1' });
    const again = await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: 10, ref: 'dep-1' });
    expect(again).toEqual(first);
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1510.00' } });
    expect((await c.json({ id: 3, op: 'historial', cedula: '1315151515' })).movimientos).toHaveLength(1);
  });

  test('repeating a transfer with the same ref returns the first result, also when pipelined', async () => {
    const c = await demo();
    const req = { op: 'transferir', origen: '1350509525', destino: '0987654321', monto: '100', ref: 'tr-1' };
    const replies = await c.pipeline([1, 2, 3, 4].map((id) => ({ id, ...req })));
    const bodies = [...replies.values()].map(({ id: _id, ...rest }) => rest);
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(bodies[0]).toMatchObject({ ok: true, saldo_origen: '4900.00', saldo_destino: '990.50' });
    expect(await c.json({ id: 5, op: 'estadisticas' })).toMatchObject({ total_transacciones: 2 });
  });

  test('a refusal is final for its ref: the replay is refused the same way even after the balance allows it', async () => {
    const c = await demo();
    const refused = await c.json({ id: 1, op: 'retirar', cedula: '0912345678', monto: '500', ref: 'r-1' });
    expectError(refused, 'SALDO_INSUFICIENTE', 1);
    await c.json({ id: 2, op: 'depositar', cedula: '0912345678', monto: '100' });
    expect(await c.json({ id: 1, op: 'retirar', cedula: '0912345678', monto: '500', ref: 'r-1' })).toEqual(refused);
  });

  test('a ref replayed after a restart returns the first result', async () => {
    const dataDir = tempDir();
    const before = await start({ DATA_DIR: dataDir });
    const first = await (await connect(before)).json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '10', ref: 'restart-1' });
    await before.stop();
    cores.splice(cores.indexOf(before), 1);
    const c = await connect(await start({ DATA_DIR: dataDir }));
    expect(await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '10', ref: 'restart-1' })).toEqual(first);
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1510.00' } });
  });

  test('the same ref with other parameters is a conflict and changes nothing', async () => {
    const c = await demo();
    await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '10', ref: 'k' });
    expectError(await c.json({ id: 2, op: 'depositar', cedula: '1315151515', monto: '11', ref: 'k' }), 'REF_CONFLICTO', 2);
    expectError(await c.json({ id: 3, op: 'retirar', cedula: '1315151515', monto: '10', ref: 'k' }), 'REF_CONFLICTO', 3);
    expectError(await c.json({ id: 4, op: 'depositar', cedula: '1350509525', monto: '10', ref: 'k' }), 'REF_CONFLICTO', 4);
    expectError(await c.json({ id: 5, op: 'transferir', origen: '1315151515', destino: '1350509525', monto: '10', ref: 'k' }), 'REF_CONFLICTO', 5);
    expect(await c.json({ id: 6, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1510.00' } });
    expect(await c.json({ id: 7, op: 'consulta', cedula: '1350509525' })).toMatchObject({ cliente: { saldo: '5000.00' } });
  });

  test('a ref must be 1 to 64 printable characters', async () => {
    const c = await demo();
    for (const ref of ['', 'x'.repeat(65), 'con espacio', 5, { a: 1 }, 'ñ']) {
      const reply = await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto: '1', ref });
      expectError(reply, 'PARAMETRO_INVALIDO', 1);
      expect(reply.error).toMatchObject({ campo: 'ref' });
    }
    expect(await c.json({ id: 2, op: 'depositar', cedula: '1315151515', monto: '1', ref: 'x'.repeat(64) })).toMatchObject({ ok: true });
  });
});

describe('JSON-lines error codes', () => {
  test('a line that is not JSON, or not an object, is JSON_INVALIDO with a null id', async () => {
    const c = await demo();
    expect(await c.json({ id: 0, op: 'ping' })).toMatchObject({ ok: true });
    for (const line of ['{not json', '{"id": 1, "op": "ping"', '[1, 2]', '"ping"', 'null', '42', 'hola']) {
      c.write(line + '\n');
      expectError(JSON.parse(await c.readLine()), 'JSON_INVALIDO', null);
    }
    expect(await c.json({ id: 1, op: 'ping' })).toMatchObject({ ok: true });
  });

  test.each([
    ['with a newline', '\n'],
    ['without a newline', ''],
  ])('a line over 64 KiB sent %s is LINEA_DEMASIADO_LARGA and the connection closes', async (_name, end) => {
    const c = await demo();
    c.write(JSON.stringify({ id: 1, op: 'ping', relleno: 'x'.repeat(70 * 1024) }) + end);
    expectError(JSON.parse(await c.readLine()), 'LINEA_DEMASIADO_LARGA', null);
    await c.waitClosed();
  });

  test('a line of exactly 64 KiB is still accepted', async () => {
    const c = await demo();
    const base = JSON.stringify({ id: 1, op: 'ping', relleno: '' });
    c.write(JSON.stringify({ id: 1, op: 'ping', relleno: 'x'.repeat(64 * 1024 - base.length) }) + '\n');
    expect(JSON.parse(await c.readLine())).toEqual({ id: 1, ok: true, pong: true });
  });

  test('an id nested up to 32 levels is echoed; deeper is PARAMETRO_INVALIDO with a null id and nothing runs', async () => {
    const c = await demo();
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    c.write(`{"id":${nested(32)},"op":"ping"}\n`);
    expect(JSON.parse(await c.readLine())).toEqual({ id: JSON.parse(nested(32)), ok: true, pong: true });
    for (const depth of [33, 20000]) {
      c.write(`{"id":${nested(depth)},"op":"depositar","cedula":"1315151515","monto":"10"}\n`);
      const reply = JSON.parse(await c.readLine());
      expectError(reply, 'PARAMETRO_INVALIDO', null);
      expect(reply.error).toMatchObject({ campo: 'id' });
    }
    expect(await c.json({ id: 1, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1500.00' } });
  });

  test('an unknown op is OP_DESCONOCIDA', async () => {
    const c = await demo();
    for (const op of ['PING', 'borrar', 'depositar ', '__proto__', 'constructor', 'toString']) expectError(await c.json({ id: op, op }), 'OP_DESCONOCIDA', op);
  });

  test('a missing or wrongly typed parameter is PARAMETRO_INVALIDO naming the field', async () => {
    const c = await demo();
    const cases: Array<[Reply, string]> = [
      [{ id: 1 }, 'op'],
      [{ id: 2, op: 7 }, 'op'],
      [{ id: 3, op: 'crear', cedula: '1712345675', apellidos: 'Torres' }, 'nombres'],
      [{ id: 4, op: 'crear', cedula: '1712345675', nombres: 'Ana', apellidos: ['Torres'] }, 'apellidos'],
      [{ id: 5, op: 'crear', cedula: '1712345675', nombres: 'Ana|X', apellidos: 'Torres' }, 'nombres'],
      [{ id: 6, op: 'crear', cedula: '1712345675', nombres: 'Ana', apellidos: 'Torres', pin: 1234 }, 'pin'],
      [{ id: 7, op: 'crear', cedula: '1712345675', nombres: 'Ana', apellidos: 'Torres', pin: '12' }, 'pin'],
      [{ id: 8, op: 'historial', cedula: '1315151515', limite: 0 }, 'limite'],
      [{ id: 9, op: 'historial', cedula: '1315151515', limite: 101 }, 'limite'],
      [{ id: 10, op: 'historial', cedula: '1315151515', limite: '5' }, 'limite'],
      [{ id: 11, op: 'historial', cedula: '1315151515', limite: 2.5 }, 'limite'],
      [{ id: 12, op: 'verificar_pin', cedula: '1315151515' }, 'pin'],
    ];
    for (const [req, campo] of cases) {
      const reply = await c.json(req);
      expectError(reply, 'PARAMETRO_INVALIDO', req.id);
      expect(reply.error).toMatchObject({ campo });
    }
    expectError(await c.json({ id: 13, op: 'consulta', cedula: '1712345675' }), 'CLIENTE_NO_ENCONTRADO', 13);
  });

  test('crear with a cédula that fails the rules is CEDULA_INVALIDA', async () => {
    const c = await demo();
    for (const cedula of ['1712345674', '2512345670', '1762345675', '171234567', '17123456750', 1712345675, null]) {
      expectError(await c.json({ id: 1, op: 'crear', cedula, nombres: 'Ana', apellidos: 'Torres' }), 'CEDULA_INVALIDA', 1);
    }
  });

  test('a cédula that is not 1 to 15 digits is CEDULA_INVALIDA in every op, naming the transfer side', async () => {
    const c = await demo();
    expectError(await c.json({ id: 1, op: 'consulta', cedula: 1315151515 }), 'CEDULA_INVALIDA', 1);
    expectError(await c.json({ id: 2, op: 'depositar', cedula: "1' OR '1'='1", monto: '1' }), 'CEDULA_INVALIDA', 2);
    expectError(await c.json({ id: 3, op: 'historial', cedula: '' }), 'CEDULA_INVALIDA', 3);
    expectError(await c.json({ id: 4, op: 'verificar_pin', cedula: 'x', pin: '1234' }), 'CEDULA_INVALIDA', 4);
    const t = await c.json({ id: 5, op: 'transferir', origen: '1315151515', destino: '1234567890123456', monto: '1' });
    expectError(t, 'CEDULA_INVALIDA', 5);
    expect(t.error).toMatchObject({ cuenta: 'destino' });
  });

  test('a bad amount is MONTO_INVALIDO, worded by the rule it broke', async () => {
    const c = await demo();
    const cases: Array<[unknown, string]> = [
      ['abc', 'Monto inválido: use un número positivo con hasta dos decimales'],
      ['1.234', 'Monto inválido: use un número positivo con hasta dos decimales'],
      ['1e3', 'Monto inválido: use un número positivo con hasta dos decimales'],
      ['1,5', 'Monto inválido: use un número positivo con hasta dos decimales'],
      [0.1 + 0.2, 'Monto inválido: use un número positivo con hasta dos decimales'],
      [null, 'Monto inválido: use un número positivo con hasta dos decimales'],
      [true, 'Monto inválido: use un número positivo con hasta dos decimales'],
      ['0', 'El monto debe ser positivo'],
      [-1, 'El monto debe ser positivo'],
      ['-0.01', 'El monto debe ser positivo'],
      ['1000000.01', 'El monto excede el máximo permitido'],
      [1e15, 'El monto excede el máximo permitido'],
    ];
    for (const [monto, message] of cases) {
      const reply = await c.json({ id: 1, op: 'depositar', cedula: '1315151515', monto });
      expectError(reply, 'MONTO_INVALIDO', 1);
      expect({ monto, message: (reply.error as Reply).message }).toEqual({ monto, message });
    }
    expectError(await c.json({ id: 2, op: 'retirar', cedula: '1315151515' }), 'MONTO_INVALIDO', 2);
    expectError(await c.json({ id: 3, op: 'transferir', origen: '1315151515', destino: '1350509525', monto: 'NaN' }), 'MONTO_INVALIDO', 3);
    expect(await c.json({ id: 4, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1500.00' } });
  });

  test('an account that does not exist is CLIENTE_NO_ENCONTRADO, naming the transfer side', async () => {
    const c = await demo();
    expectError(await c.json({ id: 1, op: 'consulta', cedula: '1712345675' }), 'CLIENTE_NO_ENCONTRADO', 1);
    expectError(await c.json({ id: 2, op: 'depositar', cedula: '1712345675', monto: '1' }), 'CLIENTE_NO_ENCONTRADO', 2);
    expectError(await c.json({ id: 3, op: 'retirar', cedula: '1712345675', monto: '1' }), 'CLIENTE_NO_ENCONTRADO', 3);
    expectError(await c.json({ id: 4, op: 'historial', cedula: '1712345675' }), 'CLIENTE_NO_ENCONTRADO', 4);
    const origen = await c.json({ id: 5, op: 'transferir', origen: '1712345675', destino: '1315151515', monto: '1' });
    const destino = await c.json({ id: 6, op: 'transferir', origen: '1315151515', destino: '1712345675', monto: '1' });
    expectError(origen, 'CLIENTE_NO_ENCONTRADO', 5);
    expectError(destino, 'CLIENTE_NO_ENCONTRADO', 6);
    expect([(origen.error as Reply).cuenta, (destino.error as Reply).cuenta]).toEqual(['origen', 'destino']);
  });

  test('crear of an existing cédula is CLIENTE_YA_EXISTE and keeps the account as it was', async () => {
    const c = await demo();
    expectError(await c.json({ id: 1, op: 'crear', cedula: '1350509525', nombres: 'Otro', apellidos: 'Nombre' }), 'CLIENTE_YA_EXISTE', 1);
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1350509525' })).toMatchObject({ cliente: { nombres: 'Stefano', saldo: '5000.00' } });
  });

  test('withdrawing or sending more than the balance is SALDO_INSUFICIENTE with the balance', async () => {
    const c = await demo();
    const r = await c.json({ id: 1, op: 'retirar', cedula: '0912345678', monto: '450.26' });
    expectError(r, 'SALDO_INSUFICIENTE', 1);
    expect(r.error).toMatchObject({ saldo: '450.25' });
    expectError(await c.json({ id: 2, op: 'transferir', origen: '0912345678', destino: '1315151515', monto: 1000 }), 'SALDO_INSUFICIENTE', 2);
  });

  test('a transfer to the same account is MISMA_CUENTA', async () => {
    const c = await demo();
    expectError(await c.json({ id: 1, op: 'transferir', origen: '1315151515', destino: '1315151515', monto: '1' }), 'MISMA_CUENTA', 1);
  });

  test('with a token configured, every op but ping and auth is NO_AUTORIZADO until auth succeeds', async () => {
    const c = await connect(await start({ BANCO_CORE_TOKEN: TOKEN }));
    expect(await c.json({ id: 0, op: 'ping' })).toEqual({ id: 0, ok: true, pong: true });
    for (const op of ['consulta', 'crear', 'depositar', 'retirar', 'transferir', 'historial', 'estadisticas', 'verificar_pin']) {
      expectError(await c.json({ id: op, op, cedula: '1315151515', monto: '1' }), 'NO_AUTORIZADO', op);
    }
    expectError(await c.json({ id: 1, op: 'auth', token: 'wrong-token-0123456789' }), 'NO_AUTORIZADO', 1);
    expectError(await c.json({ id: 2, op: 'auth' }), 'NO_AUTORIZADO', 2);
    expectError(await c.json({ id: 3, op: 'depositar', cedula: '1315151515', monto: '1' }), 'NO_AUTORIZADO', 3);
    const other = await connect(cores[0]);
    expect(await other.json({ id: 4, op: 'auth', token: TOKEN })).toEqual({ id: 4, ok: true });
    expect(await other.json({ id: 5, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1500.00' } });
  });

  test('a wrong PIN is PIN_INCORRECTO, also for unknown accounts', async () => {
    const c = await demo();
    expectError(await c.json({ id: 1, op: 'verificar_pin', cedula: '1315151515', pin: '9999' }), 'PIN_INCORRECTO', 1);
    expectError(await c.json({ id: 2, op: 'verificar_pin', cedula: '1712345675', pin: '1234' }), 'PIN_INCORRECTO', 2);
    expectError(await c.json({ id: 3, op: 'verificar_pin', cedula: '1315151515', pin: 'abcd' }), 'PIN_INCORRECTO', 3);
  });

  test('the fifth wrong PIN in a row locks the account, even for the right PIN, until the lock expires', async () => {
    const clock = manualClock('2026-01-15T10:30:00');
    const c = await connect(await start({}, clock));
    for (let i = 1; i <= 4; i++) expectError(await c.json({ id: i, op: 'verificar_pin', cedula: '1720304050', pin: '0000' }), 'PIN_INCORRECTO', i);
    expectError(await c.json({ id: 5, op: 'verificar_pin', cedula: '1720304050', pin: '0000' }), 'CUENTA_BLOQUEADA', 5);
    expectError(await c.json({ id: 6, op: 'verificar_pin', cedula: '1720304050', pin: '1234' }), 'CUENTA_BLOQUEADA', 6);
    expect(await c.json({ id: 7, op: 'verificar_pin', cedula: '1315151515', pin: '1234' })).toMatchObject({ ok: true });
    clock.advance(15 * 60 * 1000 + 1);
    expect(await c.json({ id: 8, op: 'verificar_pin', cedula: '1720304050', pin: '1234' })).toEqual({ id: 8, ok: true, valido: true });
  });

  test('a right PIN resets the count of wrong ones', async () => {
    const c = await demo();
    for (let i = 1; i <= 4; i++) expectError(await c.json({ id: i, op: 'verificar_pin', cedula: '1720304050', pin: '0000' }), 'PIN_INCORRECTO', i);
    expect(await c.json({ id: 5, op: 'verificar_pin', cedula: '1720304050', pin: '1234' })).toMatchObject({ ok: true });
    expectError(await c.json({ id: 6, op: 'verificar_pin', cedula: '1720304050', pin: '0000' }), 'PIN_INCORRECTO', 6);
  });

  test('a connection over BANCO_REQUESTS_PER_SECOND_MAX is LIMITE_EXCEDIDO and nothing runs', async () => {
    const core = await start({ BANCO_REQUESTS_PER_SECOND_MAX: '2', BANCO_REQUESTS_BURST_MAX: '2' });
    const c = await connect(core);
    const replies = await c.pipeline([1, 2, 3, 4].map((id) => ({ id, op: 'depositar', cedula: '1315151515', monto: '1' })));
    expect([1, 2].map((id) => replies.get(id)!.ok)).toEqual([true, true]);
    expectError(replies.get(3)!, 'LIMITE_EXCEDIDO', 3);
    expectError(replies.get(4)!, 'LIMITE_EXCEDIDO', 4);
    const other = await connect(core);
    expect(await other.json({ id: 5, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1502.00' } });
  });

  test('a movement that would take a balance past the maximum balance is LIMITE_EXCEDIDO', async () => {
    const c = await connect(await start({ BANCO_MONTO_MAXIMO: '9999999999999.99' }));
    expectError(await c.json({ id: 1, op: 'depositar', cedula: '1350509525', monto: '9999999999999.99' }), 'LIMITE_EXCEDIDO', 1);
    expect(await c.json({ id: 2, op: 'depositar', cedula: '1350509525', monto: '9999999994999.99' })).toMatchObject({ ok: true, saldo_nuevo: '9999999999999.99' });
    expectError(await c.json({ id: 3, op: 'transferir', origen: '1315151515', destino: '1350509525', monto: '0.01' }), 'LIMITE_EXCEDIDO', 3);
    expect(await c.json({ id: 4, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1500.00' } });
  });

  test('a database locked by another process makes a movement NO_DISPONIBLE, retriable, with nothing changed', async () => {
    const core = await start();
    const c = await connect(core);
    const locker = new Database(path.join(core.dataDir, 'banco.db'));
    locker.exec('BEGIN IMMEDIATE');
    try {
      c.write(JSON.stringify({ id: 1, op: 'depositar', cedula: '1315151515', monto: '10' }) + '\n');
      // The core waits out SQLite's busy timeout (5 s) before giving up.
      expectError(JSON.parse(await c.readLine(15000)), 'NO_DISPONIBLE', 1);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect(ERROR_CODES.NO_DISPONIBLE.retriable).toBe(true);
    expect(await c.json({ id: 2, op: 'consulta', cedula: '1315151515' })).toMatchObject({ cliente: { saldo: '1500.00' } });
  });

  test('a database that is gone is INTERNO with the generic message and no exception text', async () => {
    const core = await start();
    const c = await connect(core);
    await core.store.close();
    const reply = await c.json({ id: 1, op: 'consulta', cedula: '1315151515' });
    expect(reply).toEqual({ id: 1, ok: false, error: { code: 'INTERNO', message: 'Error interno' } });
    produced.add('INTERNO');
    expect(await c.json({ id: 2, op: 'ping' })).toEqual({ id: 2, ok: true, pong: true });
  });

  test('a movement whose commit outcome the store could not learn is RESULTADO_INCIERTO, not retriable', async () => {
    // The store's answer is faked here; the real fault (a MySQL connection cut after COMMIT) is
    // in test/store/mysql-faults.test.ts. This checks the reply on the wire.
    const core = await start();
    const c = await connect(core);
    jest.spyOn(core.store, 'commitBatch').mockRejectedValueOnce(new HubError('RESULTADO_INCIERTO'));
    expectError(await c.json({ id: 1, op: 'retirar', cedula: '1315151515', monto: '1.00', ref: 'r-1' }), 'RESULTADO_INCIERTO', 1);
    expect(ERROR_CODES.RESULTADO_INCIERTO.retriable).toBe(false);
  });
});

test('every code in ERROR_CODES was produced over the wire by the tests above', () => {
  expect(Object.keys(ERROR_CODES).filter((code) => !produced.has(code))).toEqual([]);
});
