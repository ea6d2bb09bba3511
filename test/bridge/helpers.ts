/**
 * A real bridge for tests: an aedes broker on a free port, a core on SQLite with its relay
 * publishing to that broker, and the bridge (this process) talking to both. Customers are made
 * with a PIN over the core's JSON lines, as any other client would.
 */
import { silentLogger } from '../../core/log';
import { loadBridgeConfig } from '../../bridge/config';
import { startBridge, type RunningBridge } from '../../bridge/server';
import { AedesBroker } from '../helpers/aedes-broker';
import { startTestCore, tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';
import { TcpClient } from '../helpers/tcp-client';

export interface TestBank {
  broker: AedesBroker;
  core: Awaited<ReturnType<typeof startTestCore>>;
  bridge: RunningBridge;
  url: string;
  /** One JSON-lines request straight to the core. */
  coreRequest(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export const PIN = '4321';
/** Valid cédulas (CONTRACT §2). */
export const ALICIA = '1712345675';
export const BRUNO = '0900000019';
export const CARLA = '1350509525';

let seq = 0;

export async function startTestBank(extraEnv: Record<string, string> = {}, nowMs: () => number = Date.now): Promise<TestBank> {
  const broker = await AedesBroker.start();
  const dataDir = tempDir('banco-bridge-');
  const core = await startTestCore({ DATA_DIR: dataDir, BANCO_RELAY: 'on', MQTT_URL: broker.url, BANCO_RELAY_POLL_MS: '20', BANCO_DEMO_DATA: 'off', BANCO_STATS_INTERVAL_MS: '0' });
  const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', BRIDGE_PORT: String(await freePort()), CORE_PORT: String(core.port), MQTT_URL: broker.url, ...extraEnv };
  const bridge = await startBridge(loadBridgeConfig(env), silentLogger, nowMs);
  const client = await TcpClient.open(core.port);
  const coreRequest = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => (await client.json({ id: ++seq, ...body })) as Record<string, unknown>;
  for (const [cedula, nombres] of [[ALICIA, 'Alicia'], [BRUNO, 'Bruno'], [CARLA, 'Carla']]) {
    await coreRequest({ op: 'crear', cedula, nombres, apellidos: 'Prueba', pin: PIN });
    await coreRequest({ op: 'depositar', cedula, monto: '1000.00' });
  }
  return {
    broker,
    core,
    bridge,
    url: `http://127.0.0.1:${bridge.port}`,
    coreRequest,
    async stop() {
      client.close();
      await bridge.stop();
      await core.stop();
      await broker.stop();
    },
  };
}

/** A logged-in HTTP client of the bridge: its cookie and CSRF token. */
export interface Customer {
  cedula: string;
  cookie: string;
  csrf: string;
}

export async function login(url: string, cedula: string, pin = PIN): Promise<Customer> {
  const res = await fetch(`${url}/api/v1/sesion`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cedula, pin }) });
  if (res.status !== 201) throw new Error(`login ${cedula}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const body = (await res.json()) as { csrf: string };
  return { cedula, cookie, csrf: body.csrf };
}

export async function call(url: string, who: Customer | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (who) Object.assign(headers, { Cookie: who.cookie, 'X-CSRF-Token': who.csrf });
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export async function saldo(bank: TestBank, cedula: string): Promise<string> {
  const r = await bank.coreRequest({ op: 'consulta', cedula });
  return (r.cliente as { saldo: string }).saldo;
}
