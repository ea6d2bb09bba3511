/**
 * Development on loopback (no users file): anonymous MQTT clients may read but never publish
 * under the prefix, so nobody can forge `banco/saldo/*` or alerts for the audit node to record as
 * fact; the relay and the default flows still carry every event, with the development service
 * login under DATA_DIR — in one process (`banco start`) and as separate processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { collect, connect, sleep, waitFor, type Message } from '../broker/helpers';
import { TcpClient } from '../helpers/tcp-client';
import { beyondLoopbackEnv, startBanco, type Banco } from './helpers';

const SETTLE_MS = 500;
const AUDIT_WAIT_MS = 15_000;

function forged(id: string): string {
  // Shaped like real events (CONTRACT §5), so only the broker's ACL can keep them out.
  return JSON.stringify({ id, timestamp: new Date().toISOString(), cedula: '1350509525', tipo: 'DEPOSITO', monto: 994999, saldo_nuevo: 999999, saldo_anterior: 5000, version: 999 });
}

function auditRecords(dataDir: string): Array<{ topic: string; event: Record<string, unknown> }> {
  const file = path.join(dataDir, 'audit', 'audit.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Every message an anonymous observer sees on `banco/#` — it could see a forged one, were it let through. */
async function observe(url: string): Promise<{ client: MqttClient; seen: Message[] }> {
  const client = await connect(url);
  const seen = collect(client);
  await client.subscribeAsync('banco/#', { qos: 1 });
  return { client, seen };
}

async function forge(url: string): Promise<void> {
  const anonymous = await connect(url);
  anonymous.publish('banco/saldo/1350509525', forged('forged-saldo'), { qos: 0, retain: true });
  anonymous.publish('banco/alertas', forged('forged-alerta'), { qos: 0 });
  anonymous.publish('banco/transacciones', forged('forged-transaccion'), { qos: 0 });
  await sleep(SETTLE_MS);
  anonymous.end(true);
}

async function depositReachesBusAndAudit(corePort: number, dataDir: string, seen: Message[]): Promise<void> {
  const client = await TcpClient.open(corePort);
  expect(await client.command('AUMENTAR 1350509525 10.00')).toBe('OK|Depósito exitoso|5010.00');
  client.close();
  await waitFor(() => seen.some((m) => m.topic === 'banco/saldo/1350509525' && JSON.parse(m.payload).saldo_nuevo === 5010), AUDIT_WAIT_MS);
  // The default flows audit money movements, transfers and alerts (not saldo snapshots).
  await waitFor(() => auditRecords(dataDir).some((r) => r.topic === 'banco/transacciones' && r.event.saldo_nuevo === 5010), AUDIT_WAIT_MS);
}

function expectNothingForged(seen: Message[], dataDir: string): void {
  expect(seen.filter((m) => m.payload.includes('forged'))).toEqual([]);
  expect(auditRecords(dataDir).filter((r) => JSON.stringify(r).includes('forged'))).toEqual([]);
}

/** Anonymous forgeries never reach a subscriber or the audit log, while a real deposit reaches both. */
async function expectForgeriesRefusedAndDepositsCarried(url: string, env: Record<string, string>): Promise<void> {
  const observer = await observe(url);
  await forge(url);
  await depositReachesBusAndAudit(Number(env.CORE_PORT), env.DATA_DIR, observer.seen);
  expectNothingForged(observer.seen, env.DATA_DIR);
  await observer.client.endAsync();
}

describe('anonymous MQTT clients in development', () => {
  it('cannot publish banco/saldo/<cedula> or alerts, while the relay and the flows of `banco start` still carry a deposit to subscribers and the audit log', async () => {
    const env = await beyondLoopbackEnv({ HOST: '127.0.0.1' });
    const hub = await startBanco(env, ['start'], 'core.listening');
    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    try {
      await expectForgeriesRefusedAndDepositsCarried(url, env);
    } finally {
      expect((await hub.stop()).code).toBe(0);
    }
    const credential = path.join(env.DATA_DIR, 'mqtt-dev-service.json');
    expect(fs.statSync(credential).mode & 0o777).toBe(0o600);
    expect(hub.stderr()).not.toContain(JSON.parse(fs.readFileSync(credential, 'utf8')).password);
  });

  it('holds also when broker, Node-RED and core run as separate processes sharing DATA_DIR', async () => {
    const env = await beyondLoopbackEnv({ HOST: '127.0.0.1' });
    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    const started: Banco[] = [];
    try {
      started.push(await startBanco(env, ['start', 'broker'], 'mqtt_broker_started'));
      started.push(await startBanco(env, ['start', 'node-red'], 'node-red.started'));
      started.push(await startBanco(env, ['start', 'core'], 'core.listening'));
      await expectForgeriesRefusedAndDepositsCarried(url, env);
    } finally {
      for (const part of started.reverse()) expect((await part.stop()).code).toBe(0);
    }
  });
});
