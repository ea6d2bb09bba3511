import { freePort } from '../../helpers/ports';
import { consumeUntil, sharedKafka, uniqueTopic, type ConsumedRecord, type KafkaHandle } from '../../helpers/kafka';
import { describeWith } from '../../helpers/services';
import { helper, sleep, waitUntil } from '../helpers/red';
import { CEDULAS, caughtMessages, deploy, isUnreachable, exportFlow, lastStatus, movement, versionsByKey } from './fixtures';

jest.setTimeout(120_000);

describeWith('kafka', 'banco-kafka-export against a real Kafka broker', () => {
  let kafka: KafkaHandle;
  let brokers: string;

  beforeAll(async () => {
    kafka = await sharedKafka();
    brokers = kafka.brokers.join(',');
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await kafka?.release();
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('every event reaches the topic once, keyed by cédula, in each account order, with id and type headers', async () => {
    const topic = uniqueTopic();
    const d = await deploy(exportFlow(brokers, { topic, batchMax: 50, lingerMs: 5 }));
    const N = 700;
    const sent: string[] = [];
    for (let i = 0; i < N; i++) {
      const id = `ev-${i}`;
      sent.push(id);
      d.input(movement(id, CEDULAS[i % CEDULAS.length], Math.floor(i / CEDULAS.length) + 1));
    }
    await waitUntil('every event acknowledged', () => d.out.length === N, 60_000);
    expect(d.caught).toEqual([]);
    const records = await consumeUntil(kafka.brokers, topic, (r) => r.length >= N);
    await sleep(500);
    expect(records.map((r) => r.headers['event-id']).sort()).toEqual([...sent].sort());
    expect(records).toHaveLength(N);
    for (const [key, versions] of versionsByKey(records)) {
      expect(CEDULAS).toContain(key);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    const first = records.find((r) => r.headers['event-id'] === 'ev-0')!;
    expect(first.key).toBe(CEDULAS[0]);
    expect(first.headers).toMatchObject({ 'event-type': 'DEPOSITO', 'schema-version': '1', 'content-type': 'application/json' });
    expect(JSON.parse(first.value)).toMatchObject({ id: 'ev-0', cedula: CEDULAS[0], schema_version: 1, monto: 10.5 });
    expect(lastStatus(d)).toMatchObject({ fill: 'green', shape: 'dot', text: 'banco-kafka-export.status.sent' });
  });

  test('a message is acknowledged only after the broker has it: every acked id is readable at once', async () => {
    const topic = uniqueTopic();
    const d = await deploy(exportFlow(brokers, { topic, batchMax: 1, lingerMs: 0 }));
    d.input(movement('only-1', CEDULAS[0], 1));
    await waitUntil('acknowledged', () => d.out.length === 1, 30_000);
    expect(d.out[0].kafka).toEqual({ topic, key: CEDULAS[0], result: 'sent' });
    const records = await consumeUntil(kafka.brokers, topic, (r) => r.length >= 1, 20_000);
    expect(records.map((r) => r.headers['event-id'])).toEqual(['only-1']);
  });

  test('an event without a cédula and one over the broker max message size go to Catch; the rest are exported', async () => {
    const topic = uniqueTopic();
    // The node's own limit is raised above the broker's (message.max.bytes 1,048,588), so the broker refuses it.
    const d = await deploy(exportFlow(brokers, { topic, batchMax: 20, lingerMs: 20, valueBytesMax: 4 * 1024 * 1024 }));
    const good: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10) d.input({ topic: 'banco/transacciones', eventId: 'no-cedula', payload: { id: 'no-cedula', tipo: 'DEPOSITO', monto: 1 } });
      if (i === 20) d.input(movement('too-big', CEDULAS[1], 99, { nota: 'x'.repeat(1_200_000) }));
      good.push(`g-${i}`);
      d.input(movement(`g-${i}`, CEDULAS[i % 3], Math.floor(i / 3) + 1));
    }
    await waitUntil('all settled', () => d.out.length + d.caught.length === 32, 60_000);
    const errors = caughtMessages(d);
    expect(errors).toHaveLength(2);
    expect(errors.find((e) => e.includes('no-cedula'))).toMatch(/has no cedula/);
    expect(errors.find((e) => e.includes('too large'))).toMatch(/message\.max\.bytes/);
    const unique = (r: ConsumedRecord[]) => new Set(r.map((x) => x.headers['event-id']));
    const records = await consumeUntil(kafka.brokers, topic, (r) => unique(r).size >= good.length, 20_000);
    await sleep(300);
    expect([...unique(records)].sort()).toEqual([...good].sort());
    // The refused batch is resent one record at a time; partitions the broker had already
    // written get their records again (at-least-once), at most one batch of them.
    expect(records.length - good.length).toBeLessThan(20);
    d.input(movement('after', CEDULAS[0], 100));
    await waitUntil('still exporting', () => d.out.length === 31, 20_000);
  });

  test('a value over the node limit is refused before it is queued', async () => {
    const d = await deploy(exportFlow(brokers, { topic: uniqueTopic(), valueBytesMax: 2048 }));
    d.input(movement('big', CEDULAS[0], 1, { nota: 'x'.repeat(4096) }));
    await waitUntil('caught', () => d.caught.length === 1);
    expect(caughtMessages(d)[0]).toMatch(/more than the 2048 this node sends/);
  });

  test('msg.topic is mapped to the Kafka topic when the node takes the topic from the message', async () => {
    const mqttTopic = `${uniqueTopic('banco')}/retiros`;
    const d = await deploy(exportFlow(brokers, { topicFrom: 'msg' }));
    d.input({ ...movement('mapped-1', CEDULAS[2], 1), topic: mqttTopic });
    await waitUntil('acknowledged', () => d.out.length === 1, 30_000);
    const kafkaTopic = mqttTopic.replace('/', '.');
    expect(d.out[0].kafka).toMatchObject({ topic: kafkaTopic });
    const records = await consumeUntil(kafka.brokers, kafkaTopic, (r) => r.length >= 1, 20_000);
    expect(records[0].headers['event-id']).toBe('mapped-1');
  });

  test('a broker that does not answer shows as unreachable, not connected, and events wait in the backlog', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const d = await deploy(exportFlow(dead, { topic: uniqueTopic() }));
    await waitUntil('unreachable status', () => isUnreachable(lastStatus(d)), 15_000);
    d.input(movement('waits', CEDULAS[0], 1));
    await sleep(1500);
    expect(d.out).toEqual([]);
    expect(d.caught).toEqual([]);
    expect(lastStatus(d)).toMatchObject({ fill: 'red', shape: 'ring' });
  });

  test('while Kafka is unreachable the queue holds at most queueMax events; the newest beyond it go to Catch as queue_full', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const d = await deploy(exportFlow(dead, { topic: uniqueTopic(), queueMax: 5, batchMax: 5 }));
    for (let i = 0; i < 8; i++) d.input(movement(`q-${i}`, CEDULAS[0], i + 1));
    await waitUntil('three refused', () => d.caught.length === 3);
    expect(caughtMessages(d).every((m) => /queue full: 5 items waiting/.test(m))).toBe(true);
    expect(d.caught.map((m) => (m.payload as { id: string }).id)).toEqual(['q-5', 'q-6', 'q-7']);
    expect(d.out).toEqual([]);
  });

  test('with no brokers configured the node is idle, names KAFKA_BROKERS and completes messages without errors', async () => {
    const d = await deploy(exportFlow(''));
    await waitUntil('idle status', () => lastStatus(d).text === 'banco-kafka-export.status.idle');
    expect(lastStatus(d)).toMatchObject({ fill: 'grey', shape: 'ring' });
    d.input(movement('skipped', CEDULAS[0], 1));
    await sleep(700);
    expect(d.caught).toEqual([]);
    expect(d.out).toEqual([]);
  });

  test('bad broker settings show an error status and send incoming messages to Catch', async () => {
    const d = await deploy(exportFlow('not a broker'));
    await waitUntil('invalid status', () => lastStatus(d).text === 'banco-kafka-export.status.invalid');
    d.input(movement('x', CEDULAS[0], 1));
    await waitUntil('caught', () => d.caught.length === 1);
    expect(caughtMessages(d)[0]).toMatch(/not host:port/);
  });
});
