/**
 * A logged-in customer sees and moves only their own money: whatever cédula a body, a query
 * string, a path or a socket payload names, every route and socket event acts on the session's
 * cédula; forged, logged-out and cross-site requests move nothing.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { ALICIA, BRUNO, CARLA, call, login, saldo, startTestBank, type Customer, type TestBank } from './helpers';

let bank: TestBank;
let alicia: Customer;

beforeAll(async () => {
  bank = await startTestBank();
  alicia = await login(bank.url, ALICIA);
});
afterAll(() => bank.stop());

function socketOf(who: Customer | null, headers: Record<string, string> = {}): Socket {
  return connect(`${bank.url}/cliente`, { transports: ['websocket'], reconnection: false, extraHeaders: { ...(who ? { Cookie: who.cookie } : {}), ...headers } });
}

function connected(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
}

const clave = (): string => `k${Math.random().toString(36).slice(2, 14)}`;

describe('HTTP routes act only on the session cédula', () => {
  it('a deposit naming another cédula in the body credits the customer’s own account', async () => {
    const bruno = await saldo(bank, BRUNO);
    const r = await call(bank.url, alicia, 'POST', '/api/v1/depositos', { monto: '5.00', clave: clave(), cedula: BRUNO, origen: BRUNO });
    expect(r.status).toBe(200);
    expect(await saldo(bank, BRUNO)).toBe(bruno);
    expect(r.body.saldo).toBe(await saldo(bank, ALICIA));
  });

  it('a withdrawal naming another cédula in the body and query string debits only the customer’s own account', async () => {
    const bruno = await saldo(bank, BRUNO);
    const before = Number(await saldo(bank, ALICIA));
    const r = await call(bank.url, alicia, 'POST', `/api/v1/retiros?cedula=${BRUNO}`, { monto: '2.00', clave: clave(), cedula: BRUNO });
    expect(r.status).toBe(200);
    expect(await saldo(bank, BRUNO)).toBe(bruno);
    expect(Number(await saldo(bank, ALICIA))).toBeCloseTo(before - 2, 2);
  });

  it('a transfer naming another origin sends from the customer’s own account', async () => {
    const bruno = await saldo(bank, BRUNO);
    const carla = Number(await saldo(bank, CARLA));
    const r = await call(bank.url, alicia, 'POST', '/api/v1/transferencias', { origen: BRUNO, cedula_origen: BRUNO, destino: CARLA, monto: '3.00', clave: clave() });
    expect(r.status).toBe(200);
    expect(await saldo(bank, BRUNO)).toBe(bruno);
    expect(Number(await saldo(bank, CARLA))).toBeCloseTo(carla + 3, 2);
  });

  it('the account and history routes answer for the session whatever the query string says', async () => {
    await bank.coreRequest({ op: 'depositar', cedula: BRUNO, monto: '77.77' });
    const cuenta = await call(bank.url, alicia, 'GET', `/api/v1/cuenta?cedula=${BRUNO}`);
    expect(cuenta.body).toMatchObject({ cedula: ALICIA, nombres: 'Alicia' });
    const hist = await call(bank.url, alicia, 'GET', `/api/v1/movimientos?cedula=${BRUNO}&pagina=1`);
    expect(JSON.stringify(hist.body)).not.toContain('77.77');
    expect(await call(bank.url, alicia, 'GET', `/api/v1/historial/${BRUNO}`)).toMatchObject({ status: 404 });
    expect(await call(bank.url, alicia, 'POST', '/api/consulta', { cedula: BRUNO })).toMatchObject({ status: 404 });
  });

  it('a cookie whose cédula was edited, a missing CSRF token, or a foreign origin moves nothing', async () => {
    const before = await saldo(bank, BRUNO);
    const [payload, mac] = alicia.cookie.split('=')[1].split('.');
    const edited = JSON.parse(Buffer.from(payload, 'base64url').toString());
    edited.ced = BRUNO;
    const forged: Customer = { ...alicia, cookie: `banco_sesion=${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${mac}` };
    expect((await call(bank.url, forged, 'POST', '/api/v1/retiros', { monto: '1.00', clave: clave() })).status).toBe(401);
    expect((await call(bank.url, forged, 'GET', '/api/v1/cuenta')).status).toBe(401);
    expect((await call(bank.url, { ...alicia, csrf: '' }, 'POST', '/api/v1/depositos', { monto: '1.00', clave: clave() })).status).toBe(401);
    const crossSite = await fetch(`${bank.url}/api/v1/depositos`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: alicia.cookie, 'X-CSRF-Token': alicia.csrf, Origin: 'http://evil.example' }, body: JSON.stringify({ monto: '1.00', clave: clave() }) });
    expect(crossSite.status).toBe(401);
    expect(await saldo(bank, BRUNO)).toBe(before);
  });

  it('after logout the old cookie is refused', async () => {
    const who = await login(bank.url, BRUNO);
    expect((await call(bank.url, who, 'DELETE', '/api/v1/sesion')).status).toBe(204);
    expect((await call(bank.url, who, 'GET', '/api/v1/cuenta')).status).toBe(401);
  });
});

describe('sockets act only on the session cédula', () => {
  it('refuses a socket without a session or from a foreign origin, and the legacy namespace while compatibility mode is off', async () => {
    await expect(connected(socketOf(null))).rejects.toThrow('NO_AUTORIZADO');
    await expect(connected(socketOf(alicia, { Origin: 'http://evil.example' }))).rejects.toThrow('ORIGEN_NO_PERMITIDO');
    const legacy = connect(bank.url, { transports: ['websocket'], reconnection: false });
    await expect(connected(legacy)).rejects.toThrow('NO_DISPONIBLE');
  });

  it('answers consultar_saldo for its own account whatever cédula the payload names, and pushes only its own balances', async () => {
    const s = socketOf(alicia);
    const pushed: Array<{ saldo: string }> = [];
    s.on('saldo', (e: { saldo: string }) => pushed.push(e));
    s.on('balance_updated', (e: unknown) => pushed.push(e as { saldo: string }));
    await connected(s);
    const reply = await s.emitWithAck('consultar_saldo', { cedula: BRUNO });
    expect(reply.saldo).toBe(await saldo(bank, ALICIA));
    s.emit('subscribe_balance', { cedula: BRUNO });
    await bank.coreRequest({ op: 'depositar', cedula: BRUNO, monto: '11.11' });
    await bank.coreRequest({ op: 'depositar', cedula: ALICIA, monto: '0.01' });
    const mine = await saldo(bank, ALICIA);
    for (let i = 0; i < 50 && !pushed.some((e) => e.saldo === mine); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pushed.map((e) => e.saldo)).toEqual([mine]);
    s.close();
  });

  it('logout ends the session’s open sockets', async () => {
    const who = await login(bank.url, CARLA);
    const s = socketOf(who);
    await connected(s);
    const ended = new Promise((resolve) => s.once('disconnect', resolve));
    await call(bank.url, who, 'DELETE', '/api/v1/sesion');
    await expect(ended).resolves.toBe('io server disconnect');
  });
});
