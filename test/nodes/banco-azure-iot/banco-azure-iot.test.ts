/**
 * banco-azure-iot in a real Node-RED runtime against the local IoT Hub endpoint (TLS, SAS checked,
 * dialect enforced): telemetry, auth failure, token renewal, endpoint restart, cloud-to-device,
 * the 256 KB limit, batching and the idle default.
 */
import bancoAzureDevice from '../../../nodes/banco-azure-device/banco-azure-device';
import type { AzureDeviceConfigNode } from '../../../nodes/banco-azure-device/config-node';
import bancoAzureIot from '../../../nodes/banco-azure-iot/banco-azure-iot';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { sinkReports } from '../../../nodes/shared/sink/registry';
import { collect, helper, sleep, statusTexts, waitUntil } from '../helpers/red';
import { DEVICE_ID, HUB_HOST, WRONG_KEY, makeDeviceCert, startEndpoint, tempDir, type EndpointFixture } from './endpoint-fixture';

const X509_DEVICE = 'banco-hub-x509';
const x509 = makeDeviceCert(tempDir(), X509_DEVICE);
const otherCert = makeDeviceCert(tempDir(), 'someone-else');

const NODES = [bancoAzureDevice, bancoAzureIot];
const STATUS = 'banco-azure-iot.status.';

interface Deployed {
  sent: NodeMessage[];
  c2d: NodeMessage[];
  caught: NodeMessage[];
  statuses: NodeMessage[];
}

function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 1150, ...extra };
}

describe('banco-azure-iot against the local IoT Hub endpoint', () => {
  let fx: EndpointFixture;

  beforeAll(async () => {
    fx = await startEndpoint([{ deviceId: X509_DEVICE, x509Fingerprint256: x509.fingerprint256 }]);
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await fx.endpoint.stop();
  });
  afterEach(async () => {
    await helper.unload();
  });

  function flow(device: Record<string, unknown> = {}, iot: Record<string, unknown> = {}): object[] {
    return [
      { id: 'tab', type: 'tab', label: 'test' },
      { id: 'dev', type: 'banco-azure-device', z: '', endpoint: `127.0.0.1:${fx.endpoint.port}`, caFile: fx.certs.caFile, tokenLifetime: 3600, ...device },
      { id: 'iot', type: 'banco-azure-iot', z: 'tab', device: 'dev', wires: [['sent'], ['c2d']], ...iot },
      { id: 'sent', type: 'helper', z: 'tab' },
      { id: 'c2d', type: 'helper', z: 'tab' },
      { id: 'c1', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
      { id: 's1', type: 'status', z: 'tab', scope: ['iot'], wires: [['statuses']] },
      { id: 'statuses', type: 'helper', z: 'tab' },
    ];
  }

  async function deploy(f: object[], connectionString: string | undefined = fx.endpoint.connectionString(DEVICE_ID)): Promise<Deployed> {
    await helper.load(NODES, f, connectionString === undefined ? {} : { dev: { connectionString } });
    return { sent: collect('sent'), c2d: collect('c2d'), caught: collect('caught'), statuses: collect('statuses') };
  }

  const lastStatus = (d: Deployed) => statusTexts(d.statuses).at(-1) ?? '';
  const isConnected = (d: Deployed) => lastStatus(d) === `${STATUS}sent` && (d.statuses.at(-1)?.status as { fill?: string }).fill === 'green';
  const backlog = () => sinkReports().find((r) => r.nodeId === 'iot')?.stats.backlog;
  const input = (msg: NodeMessage) => helper.getNode('iot').receive(msg);
  const deviceNode = () => helper.getNode('dev') as unknown as AzureDeviceConfigNode;
  const telemetryIds = (since = 0) => fx.endpoint.telemetry.slice(since).map((t) => t.properties['$.mid']);

  test('an event arrives as telemetry with the device topic, its properties and its body, and comes out after the PUBACK', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    input({ payload: event('e-1'), properties: { origen: 'banco hub' } });
    await waitUntil('output 1', () => d.sent.length === 1);
    const t = fx.endpoint.telemetry[before];
    expect(t.deviceId).toBe(DEVICE_ID);
    expect(t.qos).toBe(1);
    expect(t.topic).toBe(`devices/${DEVICE_ID}/messages/events/$.mid=e-1&$.ct=application%2Fjson&$.ce=utf-8&eventType=DEPOSITO&cedula=1350509525&origen=banco%20hub`);
    expect(t.properties).toEqual({ '$.mid': 'e-1', '$.ct': 'application/json', '$.ce': 'utf-8', eventType: 'DEPOSITO', cedula: '1350509525', origen: 'banco hub' });
    expect(JSON.parse(t.body.toString())).toEqual(event('e-1'));
    expect(d.caught).toEqual([]);
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'green', shape: 'dot' });
  });

  test('a wrong key shows the refusal on the status and sends each event to Catch', async () => {
    const d = await deploy(flow(), fx.endpoint.connectionString(DEVICE_ID, WRONG_KEY));
    await waitUntil('auth failure status', () => lastStatus(d).startsWith(`${STATUS}authFailed`));
    expect(lastStatus(d)).toMatch(/Not authorized/i);
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'red', shape: 'dot' });
    input({ payload: event('e-wrong') });
    await waitUntil('Catch', () => d.caught.length === 1);
    expect(String((d.caught[0].error as { message: string }).message)).toMatch(/refused the device credentials/);
    expect(String((d.caught[0].error as { message: string }).message)).not.toContain(WRONG_KEY);
    expect(d.sent).toEqual([]);
    expect(fx.endpoint.attempts.at(-1)).toMatchObject({ clientId: DEVICE_ID, accepted: false });
  });

  test('with a 5-second token the connection is renewed before expiry and no event is lost', async () => {
    const d = await deploy(flow({ tokenLifetime: 5 }));
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    const kicksBefore = fx.endpoint.kicks.length;
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      ids.push(`r-${i}`);
      input({ payload: event(`r-${i}`) });
      await sleep(200);
    }
    await waitUntil('all delivered', () => d.sent.length === ids.length, 30_000);
    expect([...new Set(telemetryIds(before))].sort()).toEqual([...ids].sort());
    const conn = deviceNode().device;
    expect(conn.kind === 'ready' && conn.connection.counters.renewals).toBeGreaterThanOrEqual(2);
    // Every renewal came from the node, before the endpoint had to cut off an expired token.
    expect(fx.endpoint.kicks.slice(kicksBefore).filter((k) => k.what === 'token expired')).toEqual([]);
    expect(d.caught).toEqual([]);
  }, 60_000);

  test('events sent while the endpoint is down are buffered and delivered after it restarts', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    await fx.endpoint.stop();
    await waitUntil('disconnected status', () => [`${STATUS}disconnected`, `${STATUS}connecting`].includes(lastStatus(d)));
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: expect.stringMatching(/red|yellow/) });
    for (let i = 0; i < 5; i++) input({ payload: event(`b-${i}`) });
    await waitUntil('five buffered', () => backlog() === 5);
    await sleep(300);
    expect(d.sent).toEqual([]);
    await fx.endpoint.restart();
    await waitUntil('delivered after restart', () => d.sent.length === 5, 20_000);
    expect(telemetryIds(before)).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    await waitUntil('connected again', () => isConnected(d));
  }, 40_000);

  test('a redeploy while the endpoint is down finishes within Node-RED\'s close limit, giving up the queued events', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    await fx.endpoint.stop();
    for (let i = 0; i < 3; i++) input({ payload: event(`z-${i}`) });
    await waitUntil('three waiting', () => backlog() === 3);
    const started = Date.now();
    await helper.unload();
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(d.sent).toEqual([]);
    await fx.endpoint.restart();
  }, 30_000);

  test('a cloud-to-device message comes out of output 2 with its properties', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    await waitUntil('subscribed', () => fx.endpoint.connectedDevices.includes(DEVICE_ID));
    await sleep(200);
    await fx.endpoint.sendC2d(DEVICE_ID, JSON.stringify({ orden: 'pausar' }), { '$.ct': 'application/json', prioridad: 'alta' }, 'c2d-1');
    await waitUntil('output 2', () => d.c2d.length === 1);
    expect(d.c2d[0]).toMatchObject({
      payload: { orden: 'pausar' },
      properties: { prioridad: 'alta' },
      messageId: 'c2d-1',
      contentType: 'application/json',
      systemProperties: { '$.mid': 'c2d-1', '$.to': `/devices/${DEVICE_ID}/messages/deviceBound`, '$.ct': 'application/json' },
    });
    expect(d.sent).toEqual([]);
  });

  test('a 300 KB message goes to Catch with a clear error and the events around it still flow', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    input({ payload: event('s-1') });
    input({ payload: event('s-big', { relleno: 'x'.repeat(300 * 1024) }) });
    input({ payload: event('s-2') });
    await waitUntil('two delivered', () => d.sent.length === 2);
    await waitUntil('Catch', () => d.caught.length === 1);
    expect(String((d.caught[0].error as { message: string }).message)).toMatch(/IoT Hub accepts at most 262144 \(256 KB\)/);
    expect(telemetryIds(before)).toEqual(['s-1', 's-2']);
    expect(fx.endpoint.kicks.filter((k) => k.what.includes('over'))).toEqual([]);
  });

  test('with batching, several events travel as one JSON message that says how many it holds', async () => {
    const d = await deploy(flow({}, { batchEvents: 5, lingerMs: 500 }));
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    for (let i = 0; i < 5; i++) input({ payload: event(`k-${i}`) });
    await waitUntil('five done', () => d.sent.length === 5);
    const messages = fx.endpoint.telemetry.slice(before);
    expect(messages).toHaveLength(1);
    expect(messages[0].properties).toEqual({ '$.ct': 'application/json', '$.ce': 'utf-8', batchSize: '5' });
    const body = JSON.parse(messages[0].body.toString()) as Array<{ properties: Record<string, string>; body: { id: string } }>;
    expect(body.map((e) => e.body.id)).toEqual(['k-0', 'k-1', 'k-2', 'k-3', 'k-4']);
    expect(body[0].properties).toMatchObject({ '$.mid': 'k-0', eventType: 'DEPOSITO', cedula: '1350509525' });
  });

  test('the same event id is sent once (a redeploy replays retained events)', async () => {
    const d = await deploy(flow());
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    input({ payload: event('d-1') });
    await waitUntil('sent', () => d.sent.length === 1);
    input({ payload: event('d-1') });
    input({ payload: event('d-2') });
    await waitUntil('second sent', () => d.sent.length === 2);
    expect(telemetryIds(before)).toEqual(['d-1', 'd-2']);
  });

  test('without a connection string the node is idle, names the variable to set and completes events quietly', async () => {
    const d = await deploy(flow(), '${AZURE_IOT_CONNECTION_STRING}');
    const attempts = fx.endpoint.attempts.length;
    input({ payload: event('i-1') });
    await waitUntil('idle status with the skipped count', () => lastStatus(d).startsWith(`${STATUS}idle`) && lastStatus(d).includes(`${STATUS}skipped`));
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'grey', shape: 'ring' });
    expect(sinkReports().find((r) => r.nodeId === 'iot')).toMatchObject({ connection: 'idle' });
    await sleep(300);
    expect(d.caught).toEqual([]);
    expect(fx.endpoint.attempts.length).toBe(attempts);
  });

  test('a connection string for the hub instead of the device is refused on the status without the key', async () => {
    const d = await deploy(flow(), `HostName=${HUB_HOST};SharedAccessKeyName=iothubowner;SharedAccessKey=${WRONG_KEY}`);
    input({ payload: event('h-1') });
    await waitUntil('Catch', () => d.caught.length === 1);
    await waitUntil('settings status', () => lastStatus(d).startsWith(`${STATUS}settings`));
    expect(lastStatus(d)).toMatch(/hub \(service\) connection string/);
    expect(lastStatus(d)).not.toContain(WRONG_KEY);
    expect(String((d.caught[0].error as { message: string }).message)).not.toContain(WRONG_KEY);
  });

  test('an X.509 device connects with its registered client certificate and no token; another certificate is refused', async () => {
    const cs = `HostName=${HUB_HOST};DeviceId=${X509_DEVICE};x509=true`;
    let d = await deploy(flow({ certFile: x509.certFile, keyFile: x509.keyFile }), cs);
    await waitUntil('connected', () => isConnected(d));
    const before = fx.endpoint.telemetry.length;
    input({ payload: event('x-1') });
    await waitUntil('sent', () => d.sent.length === 1);
    expect(fx.endpoint.telemetry[before]).toMatchObject({ deviceId: X509_DEVICE, topic: expect.stringMatching(new RegExp(`^devices/${X509_DEVICE}/messages/events/`)) });
    await helper.unload();
    d = await deploy(flow({ certFile: otherCert.certFile, keyFile: otherCert.keyFile }), cs);
    await waitUntil('auth failure status', () => lastStatus(d).startsWith(`${STATUS}authFailed`));
    expect(fx.endpoint.attempts.at(-1)?.reason).toBe('client certificate does not match the device thumbprint');
  });
});
