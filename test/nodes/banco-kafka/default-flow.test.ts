/**
 * The default tab flows/analitica-kafka.json, loaded as the hub loads it (with the hub's broker
 * config node from flows/hub.json): idle and quiet without KAFKA_BROKERS, exporting every
 * movement with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import bancoBroker from '../../../nodes/banco-broker/banco-broker';
import bancoEvents from '../../../nodes/banco-events/banco-events';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { AedesBroker, bancoEvent, publish } from '../../helpers/aedes-broker';
import { consumeUntil, sharedKafka, type KafkaHandle } from '../../helpers/kafka';
import { describeWith } from '../../helpers/services';
import { collect, helper, sleep, waitUntil } from '../helpers/red';
import { NODES } from './fixtures';

jest.setTimeout(120_000);

const FLOWS = path.resolve(__dirname, '..', '..', '..', 'flows');
const EXPORT_ID = 'f1a0000000000a03';
const HUB_BROKER_ID = 'f1a00000000000b1';

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(FLOWS, file), 'utf8')) as T;
}

function defaultTab(): object[] {
  // The tab's own Catch node also feeds a helper (the test helper loads one Catch per flow only).
  const tab = readJson<Array<{ id: string; type: string; wires?: string[][] }>>('analitica-kafka.json')
    .map((n) => (n.type === 'catch' ? { ...n, wires: [[...(n.wires?.[0] ?? []), 'caught']] } : n))
    // The test helper has no debug node; a helper node stands in for it.
    .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: 'f1a0000000000a01' } : n));
  const hubBroker = readJson<Array<{ id: string }>>('hub.json').find((n) => n.id === HUB_BROKER_ID)!;
  return [
    ...tab,
    { ...hubBroker, persistentSession: false, clientId: '' },
    { id: 'st', type: 'status', z: 'f1a0000000000a01', scope: [EXPORT_ID], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'f1a0000000000a01' },
    { id: 'caught', type: 'helper', z: 'f1a0000000000a01' },
  ];
}

const lastStatus = (statuses: NodeMessage[]) => (statuses.at(-1)?.status ?? {}) as { fill?: string; text?: string };

describeWith('kafka', 'the default tab "Analítica Kafka"', () => {
  let broker: AedesBroker;
  let kafka: KafkaHandle;
  const saved = { ...process.env };

  beforeAll(async () => {
    kafka = await sharedKafka();
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await kafka?.release();
  });
  beforeEach(async () => {
    broker = await AedesBroker.start();
    process.env.BANCO_HUB_MQTT_URL = broker.url;
    process.env.BANCO_TOPIC_PREFIX = 'banco';
  });
  afterEach(async () => {
    await helper.unload();
    await broker.stop();
    process.env = { ...saved };
  });

  test('without KAFKA_BROKERS the export node is idle, names the variable, and movements cause no errors', async () => {
    delete process.env.KAFKA_BROKERS;
    await helper.load([bancoBroker, bancoEvents, ...NODES], defaultTab(), readJson('analitica-kafka.credentials.json'));
    const statuses = collect('statuses');
    const caught = collect('caught');
    await waitUntil('idle status', () => lastStatus(statuses).text === 'banco-kafka-export.status.idle');
    expect(lastStatus(statuses).fill).toBe('grey');
    await sleep(1000); // the events node connects
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('idle-1') }]);
    await sleep(1500);
    expect(caught).toEqual([]);
    expect(statuses.filter((s) => lastStatus([s]).text !== 'banco-kafka-export.status.idle')).toEqual([]);
  });

  test('with KAFKA_BROKERS set every movement reaches banco.transacciones', async () => {
    process.env.KAFKA_BROKERS = kafka.brokers.join(',');
    await helper.load([bancoBroker, bancoEvents, ...NODES], defaultTab(), readJson('analitica-kafka.credentials.json'));
    const statuses = collect('statuses');
    await waitUntil('connected', () => lastStatus(statuses).text === 'banco-kafka-export.status.sent', 30_000);
    const ids = Array.from({ length: 5 }, (_, i) => `tab-${Date.now()}-${i}`);
    await publish(broker.url, ids.map((id) => ({ topic: 'banco/transacciones', payload: bancoEvent(id), qos: 1 as const })));
    const records = await consumeUntil(kafka.brokers, 'banco.transacciones', (r) => ids.every((id) => r.some((x) => x.headers['event-id'] === id)), 40_000);
    expect(ids.every((id) => records.some((x) => x.headers['event-id'] === id && x.key === '1350509525'))).toBe(true);
  });
});
