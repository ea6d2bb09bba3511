/**
 * Sessions are signed, expire, idle out and are refused once tampered with; any instance with the
 * same secret accepts them; movements are idempotent per customer key; logins are rate limited
 * per IP; stale balances from the bus never reach a page.
 */
import { io as connect } from 'socket.io-client';
import { SessionSigner } from '../../bridge/session/session-token';
import { publish } from '../helpers/aedes-broker';
import { ALICIA, BRUNO, call, login, saldo, startTestBank, type TestBank } from './helpers';

describe('signed session tokens', () => {
  const signer = new SessionSigner('s'.repeat(40), 60_000, 10_000);

  it('verify what they signed, and refuse an edited payload, another secret, expiry and idleness', () => {
    const s = signer.issue(ALICIA, 1_000);
    const token = signer.sign(s);
    expect(signer.verify(token, 2_000)).toEqual({ ok: true, session: s });
    const [payload, mac] = token.split('.');
    const edited = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(ALICIA, BRUNO)).toString('base64url');
    expect(signer.verify(`${edited}.${mac}`, 2_000)).toEqual({ ok: false, reason: 'forged' });
    expect(new SessionSigner('t'.repeat(40), 60_000, 10_000).verify(token, 2_000)).toEqual({ ok: false, reason: 'forged' });
    expect(signer.verify(token, 11_000)).toEqual({ ok: false, reason: 'idle' });
    expect(signer.verify(signer.sign({ ...s, seen: 59_000 }), 61_000)).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify('', 2_000)).toEqual({ ok: false, reason: 'missing' });
  });

  it('bind movement refs and CSRF tokens to the customer and the session', () => {
    expect(signer.movementRef(ALICIA, 'clave-123')).not.toBe(signer.movementRef(BRUNO, 'clave-123'));
    expect(signer.movementRef(ALICIA, 'clave-123').length).toBeLessThanOrEqual(64);
    const a = signer.issue(ALICIA, 0);
    expect(signer.csrfMatches(a, signer.csrfToken(a))).toBe(true);
    expect(signer.csrfMatches(a, signer.csrfToken(signer.issue(ALICIA, 0)))).toBe(false);
  });
});

describe('the bridge over HTTP', () => {
  let bank: TestBank;
  let clockMs = Date.now();
  beforeAll(async () => {
    bank = await startTestBank({ BANCO_BRIDGE_SESSION_IDLE_MS: '60000' }, () => clockMs);
  });
  afterAll(() => bank.stop());

  it('moves money once for two concurrent requests with the same key, and refuses the key with another amount', async () => {
    const who = await login(bank.url, ALICIA);
    const before = Number(await saldo(bank, ALICIA));
    const body = { monto: '7.00', clave: 'doble-clic-0001' };
    const [r1, r2] = await Promise.all([call(bank.url, who, 'POST', '/api/v1/depositos', body), call(bank.url, who, 'POST', '/api/v1/depositos', body)]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.body.transaccion_id).toBe(r2.body.transaccion_id);
    expect(Number(await saldo(bank, ALICIA))).toBeCloseTo(before + 7, 2);
    expect(await call(bank.url, who, 'POST', '/api/v1/depositos', { ...body, monto: '8.00' })).toMatchObject({ status: 409, body: { error: { code: 'REF_CONFLICTO' } } });
  });

  it('ends a session after the idle timeout, unless the customer acted in between', async () => {
    const idle = await login(bank.url, ALICIA);
    const active = await login(bank.url, BRUNO);
    clockMs += 40_000;
    const touched = await fetch(`${bank.url}/api/v1/cuenta`, { headers: { Cookie: active.cookie } });
    expect(touched.status).toBe(200);
    const renewed = { ...active, cookie: (touched.headers.get('set-cookie') ?? '').split(';')[0] };
    clockMs += 40_000;
    expect((await call(bank.url, idle, 'GET', '/api/v1/cuenta')).status).toBe(401);
    expect((await call(bank.url, renewed, 'GET', '/api/v1/cuenta')).status).toBe(200);
  });

  it('answers bad JSON and oversized bodies with a clear error and no stack trace', async () => {
    const bad = await fetch(`${bank.url}/api/v1/sesion`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"cedula":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'JSON_INVALIDO', message: 'El cuerpo de la solicitud no es JSON válido.' } });
    const big = await fetch(`${bank.url}/api/v1/sesion`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pin: 'x'.repeat(10_000) }) });
    expect(big.status).toBe(400);
    expect(await big.text()).not.toMatch(/at .*\.js/);
  });

  it('sends security headers: CSP without inline script, no framing', async () => {
    const res = await fetch(bank.url);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: no HSTS, no Secure cookie (tls.test.ts has both)
    const login = await fetch(`${bank.url}/api/v1/sesion`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cedula: BRUNO, pin: '4321' }) });
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict$/);
  });

  // Last in this block: it spends the address's login budget.
  it('refuses logins from one address past its limit, before asking the core', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call(bank.url, null, 'POST', '/api/v1/sesion', { cedula: '1315151515', pin: '9999' })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
  });
});

describe('live balances', () => {
  let bank: TestBank;
  beforeAll(async () => {
    bank = await startTestBank();
  });
  afterAll(() => bank.stop());

  it('drops a balance event whose version is not newer than the last one seen', async () => {
    const who = await login(bank.url, ALICIA);
    const s = connect(`${bank.url}/cliente`, { transports: ['websocket'], reconnection: false, extraHeaders: { Cookie: who.cookie } });
    const seen: Array<{ saldo: string; version: number }> = [];
    s.on('saldo', (e: { saldo: string; version: number }) => seen.push(e));
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    const r = await bank.coreRequest({ op: 'depositar', cedula: ALICIA, monto: '1.00' });
    const version = r.version as number;
    const event = (v: number, saldoNuevo: number) => ({ topic: `banco/saldo/${ALICIA}`, payload: { id: `e${v}-${saldoNuevo}`, timestamp: new Date().toISOString(), cedula: ALICIA, saldo_nuevo: saldoNuevo, saldo_anterior: 0, version: v } });
    const waitFor = async (v: number): Promise<void> => {
      for (let i = 0; i < 40 && !seen.some((e) => e.version === v); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await waitFor(version); // the relay's own event first
    await publish(bank.broker.url, [event(version - 1, 1.23), event(version, 4.56), event(version + 1, 7.89)]);
    await waitFor(version + 1);
    expect(seen.map((e) => e.version)).toEqual([version, version + 1]);
    expect(seen[0].saldo).toBe(r.saldo_nuevo);
    expect(seen[1].saldo).toBe('7.89');
    s.close();
  });
});

describe('behind a load balancer (BANCO_BRIDGE_TRUST_PROXY=on)', () => {
  let bank: TestBank;
  beforeAll(async () => {
    bank = await startTestBank({ BANCO_BRIDGE_TRUST_PROXY: 'on' });
  });
  afterAll(() => bank.stop());

  it('counts logins by the address the balancer appended, so a client cannot dodge the limit by writing X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // What a balancer forwards: the client's own (forged) entries, then the address it saw.
      const res = await fetch(`${bank.url}/api/v1/sesion`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.9.${i}.1, 203.0.113.7` }, body: JSON.stringify({ cedula: '1315151515', pin: '9999' }) });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});
