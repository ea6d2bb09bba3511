import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { describeWith } from '../helpers/services';
import { makeTestCerts, type TestCerts } from '../broker/certs';
import { SETTLE_MS, collect, connect, connectCollecting, endAll, publish, sleep, subscribeGranted, tempDir, waitFor } from '../broker/helpers';
import { CONFIG_DIR, startMosquitto, type RunningMosquitto } from './run-mosquitto';

const OWN = '1350509525';
const OTHER = '1712345675';
const USERS: Array<[string, string]> = [
  ['banco-relay', 'relay-pass-1'],
  ['banco-monitor', 'monitor-pass-1'],
  [OWN, 'cliente-pass-1'],
  [OTHER, 'cliente-pass-2'],
];

describeWith('mosquitto', 'mosquitto/config/mosquitto.prod.conf (production)', () => {
  const tmp = tempDir('banco-mosq-prod-');
  let broker: RunningMosquitto;
  let certs: TestCerts;
  let plainUrl: string;
  const clients: MqttClient[] = [];
  const open = async (username: string, password: string): Promise<MqttClient> => {
    const client = await connect(plainUrl, { username, password });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const configDir = path.join(tmp.dir, 'config');
    mkdirSync(path.join(configDir, 'certs'), { recursive: true });
    mkdirSync(path.join(tmp.dir, 'data'));
    certs = makeTestCerts(path.join(configDir, 'certs'));
    copyFileSync(path.join(CONFIG_DIR, 'acl'), path.join(configDir, 'acl'));
    const passwd = path.join(configDir, 'passwd');
    USERS.forEach(([user, pass], i) => execFileSync('mosquitto_passwd', i === 0 ? ['-b', '-c', passwd, user, pass] : ['-b', passwd, user, pass]));
    broker = await startMosquitto('mosquitto.prod.conf', tmp.dir);
    plainUrl = `mqtt://127.0.0.1:${broker.port(1883)}`;
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, `banco/saldo/${OWN}`, '{"saldo_nuevo":10}', { qos: 1, retain: true });
    await publish(relay, `banco/saldo/${OTHER}`, '{"saldo_nuevo":99}', { qos: 1, retain: true });
  });

  it('keeps a persistent session and its queued QoS 1 message across a broker restart (persistence true)', async () => {
    const session = { clientId: 'auditoria-prod', clean: false, username: 'banco-monitor', password: 'monitor-pass-1' };
    const subscriber = await connect(plainUrl, session);
    await subscribeGranted(subscriber, ['banco/depositos']);
    await subscriber.endAsync();
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, 'banco/depositos', '{"id":"ev-9"}');
    await endAll(clients.splice(0));
    const ports = new Map([1883, 8883, 9001].map((p) => [p, broker.port(p)]));
    await broker.stop();
    broker = await startMosquitto('mosquitto.prod.conf', tmp.dir, ports);
    const { client: back, seen } = await connectCollecting(plainUrl, session);
    clients.push(back);
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ topic: 'banco/depositos', payload: '{"id":"ev-9"}' });
  });

  it('keeps, across a SIGKILL, a queued message acknowledged more than autosave_interval (5 s) before it', async () => {
    const autosaveS = Number(/^autosave_interval (\d+)$/m.exec(readFileSync(path.join(CONFIG_DIR, 'mosquitto.prod.conf'), 'utf8'))![1]);
    expect(autosaveS).toBeLessThanOrEqual(5); // the window docs/event-bus.md promises
    const session = { clientId: 'auditoria-crash', clean: false, username: 'banco-monitor', password: 'monitor-pass-1' };
    const subscriber = await connect(plainUrl, session);
    await subscribeGranted(subscriber, ['banco/retiros']);
    await subscriber.endAsync();
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, 'banco/retiros', '{"id":"ev-crash"}'); // PUBACKed, queued for the offline session
    await endAll(clients.splice(0));
    await sleep(autosaveS * 1000 + 1500);
    const ports = new Map([1883, 8883, 9001].map((p) => [p, broker.port(p)]));
    await broker.crash();
    broker = await startMosquitto('mosquitto.prod.conf', tmp.dir, ports);
    const { client: back, seen } = await connectCollecting(plainUrl, session);
    clients.push(back);
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ topic: 'banco/retiros', payload: '{"id":"ev-crash"}' });
  }, 20_000);

  afterAll(async () => {
    await endAll(clients);
    await broker?.stop();
    tmp.remove();
  });

  it('refuses anonymous clients', async () => {
    await expect(connect(plainUrl)).rejects.toMatchObject({ code: 5 });
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(connect(plainUrl, { username: 'banco-relay', password: 'wrong' })).rejects.toMatchObject({ code: 5 });
    await expect(connect(plainUrl, { username: 'nadie', password: 'x' })).rejects.toMatchObject({ code: 5 });
  });

  it('lets a customer read its own saldo and nothing else, also through wildcards and retained messages', async () => {
    const customer = await open(OWN, 'cliente-pass-1');
    const seen = collect(customer);
    await subscribeGranted(customer, [`banco/saldo/${OWN}`, 'banco/#', 'banco/saldo/+', `banco/saldo/${OTHER}`]);
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, `banco/saldo/${OTHER}`, '{"saldo_nuevo":98}', { qos: 1, retain: true });
    await publish(relay, 'banco/transacciones', '{"tipo":"DEPOSITO"}');
    await publish(relay, `banco/saldo/${OWN}`, '{"saldo_nuevo":11}', { qos: 1, retain: true });
    await waitFor(() => seen.some((m) => m.payload === '{"saldo_nuevo":11}'));
    await sleep(SETTLE_MS);
    expect(new Set(seen.map((m) => m.topic))).toEqual(new Set([`banco/saldo/${OWN}`]));
    expect(seen.map((m) => m.payload)).not.toContain('{"saldo_nuevo":99}');
  });

  it('delivers nothing a customer publishes', async () => {
    const monitor = await open('banco-monitor', 'monitor-pass-1');
    const seen = collect(monitor);
    await subscribeGranted(monitor, ['banco/transacciones', 'banco/alertas']);
    const customer = await open(OWN, 'cliente-pass-1');
    await publish(customer, 'banco/transacciones', 'forged');
    await publish(customer, `banco/saldo/${OWN}`, '{"saldo_nuevo":1000000}', { qos: 1, retain: true });
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, 'banco/alertas', 'real');
    await waitFor(() => seen.length >= 1);
    await sleep(SETTLE_MS);
    expect(seen.map((m) => m.payload)).toEqual(['real']);
    const check = await open('banco-monitor', 'monitor-pass-1');
    const retained = collect(check);
    await subscribeGranted(check, [`banco/saldo/${OWN}`]);
    await waitFor(() => retained.length === 1);
    expect(retained[0].payload).not.toContain('1000000');
  });

  it('lets a service publish anywhere under banco/ and a reader read it but publish nothing', async () => {
    const monitor = await open('banco-monitor', 'monitor-pass-1');
    const seen = collect(monitor);
    await subscribeGranted(monitor, ['banco/#']);
    await waitFor(() => seen.length >= 2); // retained saldos
    seen.length = 0;
    const reader = await open('banco-monitor', 'monitor-pass-1').catch(() => null);
    await publish(reader as MqttClient, 'banco/estadisticas', 'from-reader');
    const relay = await open('banco-relay', 'relay-pass-1');
    await publish(relay, 'banco/retiros', 'r1');
    await publish(relay, 'banco/estadisticas', 'e1', { qos: 0 });
    await publish(relay, 'otro/tema', 'outside');
    await waitFor(() => seen.length >= 2);
    await sleep(SETTLE_MS);
    expect(seen.map((m) => m.payload).sort()).toEqual(['e1', 'r1']);
  });

  it('serves MQTT over TLS on the 8883 listener with a certificate from the test CA', async () => {
    const client = await connect(`mqtts://127.0.0.1:${broker.port(8883)}`, { username: 'banco-monitor', password: 'monitor-pass-1', ca: readFileSync(certs.caFile), servername: 'localhost' });
    clients.push(client);
    const seen = collect(client);
    await subscribeGranted(client, [`banco/saldo/${OTHER}`]);
    await waitFor(() => seen.length === 1);
    await expect(connect(`mqtts://127.0.0.1:${broker.port(8883)}`, { username: 'banco-monitor', password: 'monitor-pass-1' })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await expect(connect(`mqtt://127.0.0.1:${broker.port(8883)}`, { username: 'banco-monitor', password: 'monitor-pass-1', connectTimeout: 1000 })).rejects.toThrow();
  });

  it('serves web customers over secure WebSocket on the 9001 listener, still only their own saldo', async () => {
    const client = await connect(`wss://127.0.0.1:${broker.port(9001)}`, { username: OTHER, password: 'cliente-pass-2', ca: readFileSync(certs.caFile), servername: 'localhost' });
    clients.push(client);
    const seen = collect(client);
    await subscribeGranted(client, ['banco/saldo/+']);
    await subscribeGranted(client, [`banco/saldo/${OTHER}`]);
    await waitFor(() => seen.length >= 1);
    await sleep(SETTLE_MS);
    expect(new Set(seen.map((m) => m.topic))).toEqual(new Set([`banco/saldo/${OTHER}`]));
  });
});
