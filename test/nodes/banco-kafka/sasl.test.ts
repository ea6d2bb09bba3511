import { consumeUntil, ownKafka, uniqueTopic, type OwnKafka } from '../../helpers/kafka';
import { describeWith } from '../../helpers/services';
import { helper, sleep, waitUntil } from '../helpers/red';
import { CEDULAS, caughtMessages, deploy, exportFlow, lastStatus, movement } from './fixtures';

jest.setTimeout(120_000);

const LOGIN = { username: 'banco-analytics', password: 's3cret-pw' };

describeWith('kafka', 'banco-kafka with SASL against a real Kafka SASL_PLAINTEXT listener', () => {
  let kafka: OwnKafka;

  beforeAll(async () => {
    kafka = await ownKafka({ sasl: LOGIN });
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await kafka?.release();
  });
  afterEach(async () => {
    await helper.unload();
  });

  test.each(['plain', 'scram-sha-256', 'scram-sha-512'])('SASL %s with the right login exports events', async (mechanism) => {
    const topic = uniqueTopic();
    const d = await deploy(exportFlow(kafka.saslBrokers!.join(','), { topic }, { sasl: mechanism }), { k1: { username: LOGIN.username, password: LOGIN.password } });
    d.input(movement(`sasl-${mechanism}`, CEDULAS[0], 1));
    await waitUntil('acknowledged', () => d.out.length === 1, 40_000);
    expect(d.caught).toEqual([]);
    const records = await consumeUntil(kafka.brokers, topic, (r) => r.length >= 1, 20_000);
    expect(records[0].headers['event-id']).toBe(`sasl-${mechanism}`);
  });

  test('a wrong password shows as an error on the status and refuses events to Catch, without a retry loop', async () => {
    const d = await deploy(exportFlow(kafka.saslBrokers!.join(','), { topic: uniqueTopic() }, { sasl: 'scram-sha-512' }), { k1: { username: LOGIN.username, password: 'wrong' } });
    d.input(movement('refused-1', CEDULAS[0], 1));
    await waitUntil('caught', () => d.caught.length === 1, 30_000);
    expect(caughtMessages(d)[0]).toMatch(/credentials|authentication/i);
    expect(d.out).toEqual([]);
    await sleep(600);
    expect(lastStatus(d)).toMatchObject({ fill: 'red', shape: 'dot' });
  });
});
