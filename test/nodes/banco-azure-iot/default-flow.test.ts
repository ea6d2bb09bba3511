/**
 * The shipped "Azure IoT Hub" tab (flows/azure-iot.json + its credentials file), loaded as the hub
 * loads it with the hub broker from flows/hub.json: idle and saying what to set while
 * AZURE_IOT_CONNECTION_STRING is unset; with it (and the endpoint variables) set, a banking event
 * published on the broker reaches the IoT Hub endpoint as telemetry.
 */
import fs from 'node:fs';
import path from 'node:path';
import bancoAzureDevice from '../../../nodes/banco-azure-device/banco-azure-device';
import bancoAzureIot from '../../../nodes/banco-azure-iot/banco-azure-iot';
import bancoBroker from '../../../nodes/banco-broker/banco-broker';
import bancoEvents from '../../../nodes/banco-events/banco-events';
import { sinkReports } from '../../../nodes/shared/sink/registry';
import { AedesBroker, bancoEvent, publish } from '../../helpers/aedes-broker';
import { helper, waitUntil } from '../helpers/red';
import { DEVICE_ID, startEndpoint, type EndpointFixture } from './endpoint-fixture';

const FLOWS = path.resolve(__dirname, '..', '..', '..', 'flows');
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(FLOWS, file), 'utf8')) as T;
type FlowNode = { id: string; type: string; [k: string]: unknown };
const IOT_NODE = 'f1a0000000000b02';
const ENV = ['AZURE_IOT_CONNECTION_STRING', 'AZURE_IOT_ENDPOINT', 'AZURE_IOT_CA_FILE', 'AZURE_IOT_TOKEN_LIFETIME_S', 'BANCO_HUB_MQTT_URL', 'BANCO_TOPIC_PREFIX'];

describe('the default Azure IoT Hub tab', () => {
  let fx: EndpointFixture;
  let broker: AedesBroker;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const name of ENV) saved[name] = process.env[name];
    fx = await startEndpoint();
    broker = await AedesBroker.start();
    process.env.BANCO_HUB_MQTT_URL = broker.url;
    process.env.BANCO_TOPIC_PREFIX = 'banco';
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await broker.stop();
    await fx.endpoint.stop();
    for (const name of ENV) if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name];
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function loadTab(): Promise<void> {
    // The test runtime has no debug node: helper nodes stand in for them.
    const tab = readJson<FlowNode[]>('azure-iot.json').map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z } : n));
    const hubBroker = readJson<FlowNode[]>('hub.json').filter((n) => n.type === 'banco-broker').map((n) => ({ ...n, clientId: '', persistentSession: false }));
    const credentials = readJson<Record<string, Record<string, string>>>('azure-iot.credentials.json');
    await helper.load([bancoBroker, bancoEvents, bancoAzureDevice, bancoAzureIot], [...tab, ...hubBroker], credentials);
  }

  test('without AZURE_IOT_CONNECTION_STRING it is idle and names the variable', async () => {
    for (const name of ENV.slice(0, 4)) delete process.env[name];
    await loadTab();
    await waitUntil('registered', () => sinkReports().some((r) => r.nodeId === IOT_NODE));
    expect(sinkReports().find((r) => r.nodeId === IOT_NODE)).toMatchObject({ connection: 'idle', detail: 'banco-azure-iot.status.idle' });
    expect(fx.endpoint.attempts).toEqual([]);
  });

  test('with the connection string and endpoint set, a banking event reaches IoT Hub as telemetry', async () => {
    process.env.AZURE_IOT_CONNECTION_STRING = fx.endpoint.connectionString(DEVICE_ID);
    process.env.AZURE_IOT_ENDPOINT = `127.0.0.1:${fx.endpoint.port}`;
    process.env.AZURE_IOT_CA_FILE = fx.certs.caFile;
    await loadTab();
    await waitUntil('connected to IoT Hub', () => sinkReports().find((r) => r.nodeId === IOT_NODE)?.connection === 'connected');
    await waitUntil('subscribed to the bus', () => broker.clients >= 1);
    await new Promise((r) => setTimeout(r, 300));
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('flow-1') }]);
    await waitUntil('telemetry', () => fx.endpoint.telemetry.some((t) => t.properties['$.mid'] === 'flow-1'));
    const t = fx.endpoint.telemetry.find((m) => m.properties['$.mid'] === 'flow-1')!;
    expect(t.properties).toMatchObject({ eventType: 'DEPOSITO', cedula: '1350509525', '$.ct': 'application/json' });
  });
});
