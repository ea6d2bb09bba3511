import { consumeUntil, ownKafka, uniqueTopic, type ConsumedRecord, type OwnKafka } from '../../helpers/kafka';
import { describeWith } from '../../helpers/services';
import { helper, sleep, waitUntil } from '../helpers/red';
import { CEDULAS, deploy, isUnreachable, exportFlow, lastStatus, movement, versionsByKey } from './fixtures';

jest.setTimeout(240_000);

const OUTAGE_MS = 20_000;
const EVENTS_PER_S = 50;

describeWith('kafka', 'banco-kafka-export while its Kafka broker is stopped and restarted', () => {
  let kafka: OwnKafka;

  beforeAll(async () => {
    kafka = await ownKafka();
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.unload();
    await helper.stopServer();
    await kafka?.release();
  });

  test('Kafka stopped for 20 s mid-stream: every event is delivered after the restart, in each account order, duplicates only with their event id', async () => {
    const topic = uniqueTopic();
    const d = await deploy(exportFlow(kafka.brokers.join(','), { topic, batchMax: 25, lingerMs: 10 }));
    const sent: string[] = [];
    let stopFeeding = false;
    const feeder = (async () => {
      for (let i = 0; !stopFeeding; i++) {
        const id = `o-${i}`;
        sent.push(id);
        d.input(movement(id, CEDULAS[i % CEDULAS.length], Math.floor(i / CEDULAS.length) + 1));
        await sleep(1000 / EVENTS_PER_S);
      }
    })();

    await waitUntil('first events acknowledged', () => d.out.length > 100, 30_000);
    await kafka.stop();
    const ackedAtStop = d.out.length;
    await waitUntil('status shows Kafka unreachable', () => isUnreachable(lastStatus(d)), 15_000);
    expect(lastStatus(d).fill).toBe('red');
    await sleep(OUTAGE_MS);
    const ackedDuringOutage = d.out.length - ackedAtStop;
    await kafka.start();
    await sleep(5_000);
    stopFeeding = true;
    await feeder;

    await waitUntil('every event acknowledged', () => d.out.length === sent.length, 90_000);
    expect(d.caught).toEqual([]);
    // Nothing can be acknowledged while the broker is down (a handful may have been in flight at the stop).
    expect(ackedDuringOutage).toBeLessThan(30);
    await waitUntil('status back to connected', () => lastStatus(d).text === 'banco-kafka-export.status.sent' && lastStatus(d).fill === 'green', 20_000);

    const ids = (r: ConsumedRecord[]) => new Set(r.map((x) => x.headers['event-id']));
    const records = await consumeUntil(kafka.brokers, topic, (r) => ids(r).size >= sent.length, 60_000);
    expect([...ids(records)].sort()).toEqual([...sent].sort());
    for (const r of records) expect(r.headers['event-id']).toMatch(/^o-\d+$/);
    for (const versions of versionsByKey(records).values()) expect(versions).toEqual(versions.map((_, i) => i + 1));
    // eslint-disable-next-line no-console
    console.log(`outage: ${sent.length} events, ${records.length} records (${records.length - sent.length} duplicates)`);
  });

  test('a hung broker (SIGSTOP) shows as unreachable within the request timeout, and delivery resumes after SIGCONT', async () => {
    await helper.unload();
    const topic = uniqueTopic();
    const d = await deploy(exportFlow(kafka.brokers.join(','), { topic, batchMax: 10, lingerMs: 5 }));
    d.input(movement('h-0', CEDULAS[0], 1));
    await waitUntil('first acknowledged', () => d.out.length === 1, 30_000);
    kafka.signal('SIGSTOP');
    try {
      d.input(movement('h-1', CEDULAS[0], 2));
      await waitUntil('status shows Kafka unreachable', () => isUnreachable(lastStatus(d)), 45_000);
      expect(d.out).toHaveLength(1);
    } finally {
      kafka.signal('SIGCONT');
    }
    await waitUntil('held event acknowledged', () => d.out.length === 2, 60_000);
    const records = await consumeUntil(kafka.brokers, topic, (r) => new Set(r.map((x) => x.headers['event-id'])).size >= 2, 30_000);
    expect([...new Set(records.map((x) => x.headers['event-id']))].sort()).toEqual(['h-0', 'h-1']);
  });
});
