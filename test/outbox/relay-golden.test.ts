/**
 * Golden events (CONTRACT §5): every topic, payload field, QoS and retain flag the relay
 * publishes for deposits, withdrawals, transfers, low-balance alerts and statistics.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { CoreService } from '../../core/core-service';
import { fixedClock, startTestCore } from '../helpers/core';
import { subscriber, TestBroker, type Received } from '../helpers/mqtt-broker';
import { hasService } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';

/**
 * The same golden suite against the embedded-style aedes broker and against the machine's
 * Mosquitto (an external broker named by MQTT_URL). On the shared Mosquitto each run uses its
 * own topic prefix and clears its retained messages afterwards.
 */
interface BrokerUnderTest {
  name: string;
  available: () => boolean;
  start: () => Promise<{ url: string; prefix: string; stop: () => Promise<void> }>;
}

const MOSQUITTO_URL = process.env.BANCO_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';

async function clearRetained(url: string, prefix: string): Promise<void> {
  const c = await mqtt.connectAsync(url);
  const topics = new Set<string>();
  c.on('message', (topic, payload) => payload.length > 0 && topics.add(topic));
  await c.subscribeAsync(`${prefix}/#`);
  await new Promise((r) => setTimeout(r, 200));
  for (const t of topics) await c.publishAsync(t, '', { retain: true, qos: 1 });
  await c.endAsync();
}

const BROKERS: BrokerUnderTest[] = [
  {
    name: 'aedes',
    available: () => true,
    start: async () => {
      const b = await TestBroker.start();
      return { url: b.url, prefix: 'banco', stop: () => b.stop() };
    },
  },
  {
    name: "the machine's Mosquitto",
    available: () => hasService('mosquitto-server'),
    start: async () => {
      const prefix = `t${randomBytes(4).toString('hex')}/banco`;
      return { url: MOSQUITTO_URL, prefix, stop: () => clearRetained(MOSQUITTO_URL, prefix) };
    },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = '2026-01-15T10:30:00.000Z';

describe.each(BROKERS)('outbox relay on $name publishes the legacy topics and payloads', (target) => {
  if (!target.available()) {
    it.skip(`needs ${target.name}`, () => undefined);
    return;
  }
  let broker: { url: string; prefix: string; stop: () => Promise<void> };
  let P: string;
  let core: CoreService;
  let client: TcpClient;
  let sub: Awaited<ReturnType<typeof subscriber>>;

  beforeEach(async () => {
    broker = await target.start();
    P = broker.prefix;
    sub = await subscriber(broker.url, `${P}/#`);
    core = await startTestCore({ BANCO_RELAY: 'on', MQTT_URL: broker.url, BANCO_TOPIC_PREFIX: P, BANCO_STATS_INTERVAL_MS: '0' }, fixedClock('2026-01-15T10:30:00Z'));
    client = await TcpClient.open(core.port);
  });

  afterEach(async () => {
    client.close();
    await core.stop();
    await sub.client.endAsync();
    await broker.stop();
  });

  const strip = (m: Received) => {
    const { id, timestamp, transaccion_id, ...rest } = m.payload;
    expect(id).toMatch(UUID);
    expect(timestamp).toBe(TIMESTAMP);
    return { topic: m.topic.replace(P, 'banco'), qos: m.qos, retain: m.retain, payload: rest, transaccion_id };
  };

  it('publishes a deposit on transacciones, depositos and the retained saldo topic', async () => {
    expect(await client.command('AUMENTAR 1350509525 150')).toBe('OK|Depósito exitoso|5150.00');
    const got = (await sub.waitFor(3)).map(strip);
    const tx = got[0].transaccion_id;
    expect(tx).toMatch(UUID);
    expect(got).toEqual([
      { topic: 'banco/transacciones', qos: 1, retain: false, transaccion_id: tx, payload: { cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 5150, version: 2 } },
      { topic: 'banco/depositos', qos: 1, retain: false, transaccion_id: tx, payload: { cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 5150, version: 2 } },
      { topic: 'banco/saldo/1350509525', qos: 1, retain: false, transaccion_id: undefined, payload: { cedula: '1350509525', saldo_nuevo: 5150, saldo_anterior: 5000, version: 2 } },
    ]);
    // retain is cleared on live delivery; a new subscriber sees the retained balance.
    const late = await subscriber(broker.url, `${P}/saldo/1350509525`);
    const [retained] = await late.waitFor(1);
    expect(retained).toMatchObject({ retain: true, payload: { saldo_nuevo: 5150, saldo_anterior: 5000 } });
    await late.client.endAsync();
  });

  it('publishes a withdrawal that leaves the balance under 100.00 with a QoS 2 LOW_BALANCE alert', async () => {
    expect(await client.command('DISMINUIR 0912345678 400.25')).toBe('OK|Retiro exitoso|50.00');
    const got = (await sub.waitFor(4)).map(strip);
    expect(got.map((m) => [m.topic, m.qos])).toEqual([
      ['banco/transacciones', 1],
      ['banco/retiros', 1],
      ['banco/saldo/0912345678', 1],
      ['banco/alertas', 2],
    ]);
    expect(got[1].payload).toEqual({ cedula: '0912345678', tipo: 'RETIRO', monto: 400.25, saldo_nuevo: 50, version: 2 });
    expect(got[3].payload).toEqual({ type: 'LOW_BALANCE', message: 'Saldo bajo: $50.00', cedula: '0912345678', data: { saldo: 50, saldo_anterior: 450.25, umbral: 100 }, version: 2 });
  });

  it('publishes a withdrawal that stays above the threshold without an alert', async () => {
    await client.command('DISMINUIR 0912345678 350.25');
    await client.command('AUMENTAR 0912345678 1');
    const got = await sub.waitFor(6);
    expect(got.map((m) => m.topic)).not.toContain(`${P}/alertas`);
  });

  it('publishes both sides of a transfer, the transfer itself, both balances and the origin alert', async () => {
    expect(await client.command('TRANSFERIR 0912345678 1350509525 400.00')).toBe('OK|Transferencia exitosa|50.25|5400.00');
    const got = (await sub.waitFor(6)).map(strip);
    expect(got.map((m) => [m.topic, m.qos, m.payload])).toEqual([
      ['banco/transacciones', 1, { cedula: '0912345678', tipo: 'TRANSFERENCIA_ENVIADA', monto: 400, saldo_nuevo: 50.25, version: 2 }],
      ['banco/transacciones', 1, { cedula: '1350509525', tipo: 'TRANSFERENCIA_RECIBIDA', monto: 400, saldo_nuevo: 5400, version: 2 }],
      ['banco/transferencias', 1, { cedula_origen: '0912345678', cedula_destino: '1350509525', monto: 400, saldo_origen: 50.25, saldo_destino: 5400, version_origen: 2, version_destino: 2 }],
      ['banco/saldo/0912345678', 1, { cedula: '0912345678', saldo_nuevo: 50.25, saldo_anterior: 450.25, version: 2 }],
      ['banco/saldo/1350509525', 1, { cedula: '1350509525', saldo_nuevo: 5400, saldo_anterior: 5000, version: 2 }],
      ['banco/alertas', 2, { type: 'LOW_BALANCE', message: 'Saldo bajo: $50.25', cedula: '0912345678', data: { saldo: 50.25, saldo_anterior: 450.25, umbral: 100 }, version: 2 }],
    ]);
    expect(new Set(got.slice(0, 3).map((m) => m.transaccion_id)).size).toBe(1);
  });

  it('publishes retained statistics with QoS 0 when a client asks for them', async () => {
    await client.command('AUMENTAR 1350509525 1');
    expect(await client.command('STATS')).toBe('OK|Clientes conectados: 1|Transacciones: 1|IPs activas: 1');
    const stats = await sub.waitFor(4).then((all) => all.find((m) => m.topic === `${P}/estadisticas`)!);
    const { id, timestamp, ...fields } = stats.payload;
    expect(id).toMatch(UUID);
    expect(timestamp).toBe(TIMESTAMP);
    expect(stats.qos).toBe(0);
    const { instancia, ...figures } = fields;
    expect(figures).toEqual({ clientes_conectados: 1, total_transacciones: 1, ips_activas: 1 });
    expect(typeof instancia).toBe('string');
    const late = await subscriber(broker.url, `${P}/estadisticas`);
    expect((await late.waitFor(1))[0]).toMatchObject({ retain: true, payload: { total_transacciones: 1 } });
    await late.client.endAsync();
    // The same figures, retained under this core's own instance id (several cores do not overwrite each other there).
    const own = await subscriber(broker.url, `${P}/estadisticas/instancias/+`);
    expect((await own.waitFor(1))[0]).toMatchObject({ topic: `${P}/estadisticas/instancias/${instancia as string}`, retain: true, payload: { instancia, clientes_conectados: 1 } });
    await own.client.endAsync();
  });

  it('never publishes anything for a refused operation', async () => {
    expect(await client.command('DISMINUIR 0912345678 999999')).toBe('ERROR|Saldo insuficiente|450.25');
    await client.command('AUMENTAR 1350509525 1');
    const got = await sub.waitFor(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.every((m) => m.payload.cedula === '1350509525')).toBe(true);
    expect(await core.store.countOutboxPending()).toBe(0);
  });
});
