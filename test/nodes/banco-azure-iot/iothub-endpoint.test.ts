/**
 * The local IoT Hub endpoint enforces the dialect, so the node tests mean something: tried here
 * with a bare mqtt.js client speaking it right and wrong.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mqttUsername } from '../../../nodes/banco-azure-device/dialect';
import { deviceResourceUri, sasToken } from '../../../nodes/banco-azure-device/sas-token';
import { waitUntil } from '../helpers/red';
import { DEVICE_ID, DEVICE_KEY, HUB_HOST, WRONG_KEY, startEndpoint, type EndpointFixture } from './endpoint-fixture';

const nowS = () => Math.floor(Date.now() / 1000);
const token = (key = DEVICE_KEY, expiry_s = nowS() + 60, uri = deviceResourceUri(HUB_HOST, DEVICE_ID)) => sasToken({ resourceUri: uri, keyBase64: key, expiry_s });

describe('the local IoT Hub endpoint', () => {
  let fx: EndpointFixture;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    fx = await startEndpoint();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  afterAll(async () => {
    await fx.endpoint.stop();
  });

  function options(over: IClientOptions = {}): IClientOptions {
    return {
      protocol: 'mqtts', host: '127.0.0.1', port: fx.endpoint.port, ca: [readFileSync(fx.certs.caFile)], protocolVersion: 4,
      clientId: DEVICE_ID, username: mqttUsername(HUB_HOST, DEVICE_ID), password: token(), reconnectPeriod: 0, connectTimeout: 5_000, ...over,
    };
  }

  async function connect(over: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(options(over));
    clients.push(client);
    return client;
  }

  async function refusal(over: IClientOptions): Promise<string> {
    const error = await connect(over).then(() => 'accepted', (err: Error) => err.message);
    return error;
  }

  test('accepts the device id, the exact username and a valid SAS token', async () => {
    const client = await connect();
    expect(client.connected).toBe(true);
    expect(fx.endpoint.attempts.at(-1)).toMatchObject({ clientId: DEVICE_ID, accepted: true });
  });

  test.each([
    ['another client id', { clientId: 'other-device' }, 'unknown device id'],
    ['a username without the api-version', { username: `${HUB_HOST}/${DEVICE_ID}/` }, 'username is not'],
    ['a token signed with the wrong key', { password: token(WRONG_KEY) }, 'signature does not match'],
    ['an expired token', { password: token(DEVICE_KEY, nowS() - 1) }, 'token expired'],
    ['a token for another device', { password: token(DEVICE_KEY, nowS() + 60, deviceResourceUri(HUB_HOST, 'x')) }, 'token resource'],
    ['no token', { password: undefined }, 'no SAS token'],
  ])('refuses %s with CONNACK "not authorized"', async (_what, over, reason) => {
    expect(await refusal(over)).toMatch(/Not authorized/i);
    expect(fx.endpoint.attempts.at(-1)).toMatchObject({ accepted: false });
    expect(fx.endpoint.attempts.at(-1)?.reason).toContain(reason);
  });

  test('records telemetry with its decoded property bag, and acknowledges it', async () => {
    const client = await connect();
    await client.publishAsync(`devices/${DEVICE_ID}/messages/events/$.ct=application%2Fjson&$.ce=utf-8&c%C3%A9dula=1350509525`, '{"a":1}', { qos: 1 });
    const t = fx.endpoint.telemetry.at(-1)!;
    expect(t.properties).toEqual({ '$.ct': 'application/json', '$.ce': 'utf-8', 'cédula': '1350509525' });
    expect(t.body.toString()).toBe('{"a":1}');
  });

  test.each([
    ['a QoS 2 publish', `devices/${DEVICE_ID}/messages/events/`, 2],
    ['a publish to another device\'s topic', 'devices/other/messages/events/', 1],
    ['a publish outside the device topics', 'banco/saldo/1', 1],
  ] as const)('closes the connection on %s', async (_what, topic, qos) => {
    const client = await connect();
    const before = fx.endpoint.telemetry.length;
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.publish(topic, 'x', { qos });
    await closed;
    expect(fx.endpoint.telemetry.length).toBe(before);
    expect(fx.endpoint.kicks.at(-1)?.deviceId).toBe(DEVICE_ID);
  });

  test('grants only the device\'s own cloud-to-device subscription', async () => {
    const client = await connect();
    const own = await client.subscribeAsync(`devices/${DEVICE_ID}/messages/devicebound/#`, { qos: 1 });
    expect(own[0].qos).toBe(1);
    // mqtt.js turns a granted QoS of 128 (failure, MQTT 3.1.1 §3.9.3) into an error.
    await expect(client.subscribeAsync('devices/other/messages/devicebound/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(client.connected).toBe(true);
  });

  test('delivers a cloud-to-device message with its properties in the topic', async () => {
    const client = await connect();
    await client.subscribeAsync(`devices/${DEVICE_ID}/messages/devicebound/#`, { qos: 1 });
    const got = new Promise<string>((r) => client.once('message', (topic) => r(topic)));
    await fx.endpoint.sendC2d(DEVICE_ID, 'hola', { orden: 'bloquear cuenta' }, 'm-1');
    expect(await got).toBe(`devices/${DEVICE_ID}/messages/devicebound/%24.mid=m-1&%24.to=%2Fdevices%2F${DEVICE_ID}%2Fmessages%2FdeviceBound&orden=bloquear%20cuenta`);
  });

  test('closes a connection when its token expires', async () => {
    const client = await connect({ password: token(DEVICE_KEY, nowS() + 2) });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    await closed;
    expect(fx.endpoint.kicks.at(-1)).toMatchObject({ deviceId: DEVICE_ID, what: 'token expired' });
  });

  test('after a restart, on the same port, the old connection is gone and a new one is accepted', async () => {
    const client = await connect();
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const port = fx.endpoint.port;
    await fx.endpoint.restart();
    await closed;
    expect(fx.endpoint.port).toBe(port);
    const again = await connect();
    await waitUntil('connected', () => again.connected);
  });
});
