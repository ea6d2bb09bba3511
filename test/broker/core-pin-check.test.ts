/**
 * Customer login on a broker that runs alone (issue 12): `banco start broker` asks `banco start
 * core`, another process, to verify cédula + PIN over JSON lines with the core's token. A right
 * PIN logs in and reads only its own balance topic, a wrong one is "bad credentials", and a core
 * that cannot answer is "server unavailable" — never "bad credentials" for a right PIN.
 */
import net from 'node:net';
import { HubError } from '../../core/errors';
import { silentLogger } from '../../core/log';
import { corePinCheck, type CorePinCheckTarget } from '../../core/broker/core-pin-check';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';
import { TcpClient } from '../helpers/tcp-client';
import { startBanco, type Banco } from '../security/helpers';
import { connect } from './helpers';

const TOKEN = 'pin-check-token-0123456789';
const CEDULA = '1712345675';
const PIN = '4821';
/** MQTT 3.1.1 §3.2.2.3 CONNACK return codes. */
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;

async function refusal(url: string, username: string, password: string): Promise<number> {
  try {
    const c = await connect(url, { username, password });
    await c.endAsync();
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

describe('customer login on a broker in its own process', () => {
  let core: Banco | null = null;
  let broker: Banco;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    const mqttPort = await freePort();
    env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', DATA_DIR: tempDir('banco-pin-'),
      CORE_PORT: String(await freePort()), MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off', BANCO_CORE_TOKEN: TOKEN, BANCO_RELAY: 'off',
    };
    url = `mqtt://127.0.0.1:${mqttPort}`;
    broker = await startBanco(env, ['start', 'broker'], 'mqtt_broker_started');
    core = await startBanco(env, ['start', 'core'], 'core.listening');
    const client = await TcpClient.open(Number(env.CORE_PORT));
    expect(await client.json({ id: 1, op: 'auth', token: TOKEN })).toMatchObject({ ok: true });
    expect(await client.json({ id: 2, op: 'crear', cedula: CEDULA, nombres: 'Ana', apellidos: 'López', pin: PIN })).toMatchObject({ ok: true });
    client.close();
  }, 90_000);

  afterAll(async () => {
    await core?.stop();
    expect((await broker.stop()).code).toBe(0);
  }, 20_000);

  it('logs a customer in with the right PIN, checked by the core, and lets them read their own balance only', async () => {
    const c = await connect(url, { username: CEDULA, password: PIN });
    const own = await c.subscribeAsync(`banco/saldo/${CEDULA}`);
    expect(own[0].qos).toBeLessThan(128);
    await expect(c.subscribeAsync('banco/saldo/1350509525')).rejects.toThrow(/Subscribe error/);
    await c.endAsync();
  });

  it('refuses a wrong PIN as bad credentials', async () => {
    expect(await refusal(url, CEDULA, '0000')).toBe(BAD_CREDENTIALS);
    expect(await refusal(url, '0900000019', '1234')).toBe(BAD_CREDENTIALS); // no such account
  });

  it('treats a core that refuses the token as unavailable, not as a wrong PIN', async () => {
    const check = corePinCheck({ host: '127.0.0.1', port: Number(env.CORE_PORT), token: 'not-the-core-token-000', timeoutMs: 5000, concurrencyMax: 1 }, silentLogger);
    await expect(check(CEDULA, PIN)).rejects.toMatchObject({ code: 'NO_DISPONIBLE', message: expect.stringContaining('refused BANCO_CORE_TOKEN') });
  });

  it('answers "server unavailable", not "bad credentials", while the core is down', async () => {
    expect((await core!.stop()).code).toBe(0);
    core = null;
    expect(await refusal(url, CEDULA, PIN)).toBe(SERVER_UNAVAILABLE);
    // The CONNACK can arrive before the broker's log line has come through its stderr pipe.
    const logged = Date.now() + 5_000;
    while (!broker.stderr().includes('"event":"mqtt_login_unavailable"') && Date.now() < logged) await new Promise((r) => setTimeout(r, 50));
    expect(broker.stderr()).toContain('"event":"mqtt_login_unavailable"');
    expect(broker.stderr()).not.toContain(PIN + '"');
    core = await startBanco(env, ['start', 'core'], 'core.listening');
    const c = await connect(url, { username: CEDULA, password: PIN });
    await c.endAsync();
  }, 60_000);
});

describe('corePinCheck', () => {
  /** A core that accepts connections and never answers: the one fault a real core will not show on demand. */
  async function silentCore(): Promise<{ port: number; close: () => void }> {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    return { port, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
  }

  const target = (port: number, extra: Partial<CorePinCheckTarget> = {}): CorePinCheckTarget => ({ host: '127.0.0.1', port, token: null, timeoutMs: 300, concurrencyMax: 2, ...extra });

  it('gives up on a core that does not answer within the timeout, as unavailable', async () => {
    const core = await silentCore();
    try {
      const t0 = Date.now();
      await expect(corePinCheck(target(core.port), silentLogger)(CEDULA, PIN)).rejects.toMatchObject({ code: 'NO_DISPONIBLE', retriable: true });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      core.close();
    }
  });

  it('refuses one check more than the bound at once, without waiting, as busy', async () => {
    const core = await silentCore();
    try {
      const check = corePinCheck(target(core.port, { timeoutMs: 1000 }), silentLogger);
      const held = [check(CEDULA, PIN), check(CEDULA, PIN)];
      const t0 = Date.now();
      await expect(check(CEDULA, PIN)).rejects.toBeInstanceOf(HubError);
      await expect(check(CEDULA, PIN)).rejects.toMatchObject({ code: 'LIMITE_EXCEDIDO' });
      expect(Date.now() - t0).toBeLessThan(100);
      await Promise.allSettled(held);
    } finally {
      core.close();
    }
  });

  it('reports a core that is not listening as unavailable', async () => {
    await expect(corePinCheck(target(await freePort()), silentLogger)(CEDULA, PIN)).rejects.toMatchObject({ code: 'NO_DISPONIBLE' });
  });

  it('does not ask the core about a username that is no cédula', async () => {
    expect(await corePinCheck(target(1), silentLogger)('banco-relay', 'x')).toBeNull();
  });
});
