import bancoBroker from '../../../nodes/banco-broker/banco-broker';
import bancoEvents from '../../../nodes/banco-events/banco-events';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { AedesBroker, bancoEvent, publish } from '../../helpers/aedes-broker';
import { collect, helper, sleep, statusTexts, waitUntil } from '../helpers/red';
import { SilentProxy } from '../helpers/silent-proxy';

const NODES = [bancoBroker, bancoEvents];
const CONNECTED = 'banco-events.status.connected';

function flow(url: string, events: Record<string, unknown> = {}, broker: Record<string, unknown> = {}): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'b1', type: 'banco-broker', z: '', url, keepalive: 2, ...broker },
    { id: 'e1', type: 'banco-events', z: 'tab', broker: 'b1', kinds: ['transactions', 'balance'], wires: [['out']], ...events },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c1', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 's1', type: 'status', z: 'tab', scope: ['e1'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

interface Deployed {
  out: NodeMessage[];
  caught: NodeMessage[];
  statuses: NodeMessage[];
}

function attach(): Deployed {
  return { out: collect('out'), caught: collect('caught'), statuses: collect('statuses') };
}

async function deploy(f: object[], credentials?: Record<string, Record<string, string>>): Promise<Deployed> {
  await helper.load(NODES, f, credentials);
  return attach();
}

const lastStatus = (d: Deployed) => statusTexts(d.statuses).at(-1) ?? '';
const connected = (d: Deployed) => lastStatus(d) === CONNECTED;
const ids = (messages: NodeMessage[]) => messages.map((m) => m.eventId);

describe('banco-events against a real aedes broker', () => {
  let broker: AedesBroker;

  beforeAll(async () => {
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    broker = await AedesBroker.start();
  });
  afterEach(async () => {
    await helper.unload();
    await broker.stop();
  });

  test('status turns connected once the broker accepts the connection', async () => {
    const d = await deploy(flow(broker.url));
    await waitUntil('connected status', () => connected(d));
    expect(d.statuses[d.statuses.length - 1].status).toMatchObject({ fill: 'green', shape: 'dot' });
    expect(broker.clients).toBe(1);
  });

  test('events of the chosen kinds come out once each with payload, topic and eventId', async () => {
    const d = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(d));
    await publish(broker.url, [
      { topic: 'banco/transacciones', payload: bancoEvent('t1') },
      { topic: 'banco/retiros', payload: bancoEvent('r1', { tipo: 'RETIRO' }) },
      { topic: 'banco/saldo/1350509525', payload: bancoEvent('s1', { saldo_anterior: 1000 }) },
    ]);
    await waitUntil('two events', () => d.out.length >= 2);
    await sleep(200);
    expect(d.out.map((m) => [m.topic, m.eventId])).toEqual([['banco/transacciones', 't1'], ['banco/saldo/1350509525', 's1']]);
    expect(d.out[0].payload).toEqual(bancoEvent('t1'));
  });

  test('a redelivered event id is dropped', async () => {
    const d = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(d));
    const e = { topic: 'banco/transacciones', payload: bancoEvent('dup-1') };
    await publish(broker.url, [e, e, { topic: 'banco/transacciones', payload: bancoEvent('dup-2') }, e]);
    await waitUntil('two events', () => d.out.length >= 2);
    await sleep(200);
    expect(ids(d.out)).toEqual(['dup-1', 'dup-2']);
  });

  test('the dedupe window is bounded: an id older than the window passes again', async () => {
    const d = await deploy(flow(broker.url, { dedupe: 2 }));
    await waitUntil('connected', () => connected(d));
    const ev = (id: string) => ({ topic: 'banco/transacciones', payload: bancoEvent(id) });
    await publish(broker.url, [ev('a'), ev('b'), ev('b'), ev('c'), ev('a')]);
    await waitUntil('four events', () => d.out.length >= 4);
    await sleep(200);
    expect(ids(d.out)).toEqual(['a', 'b', 'c', 'a']);
  });

  test('a payload that is not JSON reaches a Catch node and produces no output', async () => {
    const d = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(d));
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: '{"id": "x1", oops' }, { topic: 'banco/transacciones', payload: '[1,2]' }]);
    await waitUntil('two caught errors', () => d.caught.length >= 2);
    expect(d.out).toHaveLength(0);
    const [first, second] = d.caught;
    expect(first.topic).toBe('banco/transacciones');
    expect(first.payload).toBe('{"id": "x1", oops');
    expect((first.error as { message: string }).message).toMatch(/banco\/transacciones: payload is not valid JSON/);
    expect((first.error as { source: { id: string } }).source.id).toBe('e1');
    expect((second.error as { message: string }).message).toMatch(/not an object/);
  });

  test('retained replays are delivered by default and ignored when so configured', async () => {
    await publish(broker.url, [{ topic: 'banco/saldo/1350509525', payload: bancoEvent('retained-1'), retain: true }]);
    const d = await deploy(flow(broker.url));
    await waitUntil('retained replay', () => d.out.length >= 1);
    expect(d.out[0]).toMatchObject({ eventId: 'retained-1', retain: true });
    await helper.unload();
    const quiet = await deploy(flow(broker.url, { ignoreRetained: true }));
    await waitUntil('connected', () => connected(quiet));
    await publish(broker.url, [{ topic: 'banco/saldo/1350509525', payload: bancoEvent('live-1'), retain: true }]);
    await waitUntil('live event', () => quiet.out.length >= 1);
    await sleep(300);
    expect(ids(quiet.out)).toEqual(['live-1']);
  });

  test('a redeploy neither duplicates messages nor replays retained events already delivered', async () => {
    await publish(broker.url, [{ topic: 'banco/saldo/1350509525', payload: bancoEvent('retained-2'), retain: true }]);
    const f = flow(broker.url);
    const first = await deploy(f);
    await waitUntil('retained replay', () => first.out.length >= 1);
    for (let i = 0; i < 3; i++) await helper.setFlows(f, 'full');
    const d = attach();
    await waitUntil('connected after redeploy', () => connected(d));
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('after-redeploy') }]);
    await waitUntil('new event', () => d.out.length >= 1);
    await sleep(300);
    expect(ids(d.out)).toEqual(['after-redeploy']);
    expect(broker.clients).toBe(1);
  });

  test('after a broker restart it reconnects, resubscribes and delivers without duplicates', async () => {
    const d = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(d));
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('before') }]);
    await waitUntil('first event', () => d.out.length >= 1);
    await broker.stop();
    await waitUntil('status leaves connected', () => !connected(d));
    expect(lastStatus(d)).not.toBe(CONNECTED);
    await broker.restart();
    await waitUntil('connected again', () => connected(d), 15_000);
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('before') }, { topic: 'banco/transacciones', payload: bancoEvent('after') }]);
    await waitUntil('second event', () => d.out.length >= 2);
    await sleep(300);
    expect(ids(d.out)).toEqual(['before', 'after']);
  }, 30_000);

  test('status stops saying connected when the network goes silent (keepalive)', async () => {
    const proxy = await SilentProxy.start(broker.port);
    try {
      const d = await deploy(flow(proxy.url, {}, { keepalive: 1 }));
      await waitUntil('connected', () => connected(d));
      proxy.freeze();
      await waitUntil('status leaves connected', () => !connected(d), 8_000);
    } finally {
      await proxy.stop();
    }
  }, 20_000);

  test('with a persistent session, events published during a redeploy gap are delivered afterwards', async () => {
    const f = flow(broker.url, {}, { clientId: 'banco-test-persistent', persistentSession: true });
    const first = await deploy(f);
    await waitUntil('connected', () => connected(first));
    await helper.unload();
    await waitUntil('old connection gone', () => broker.clients === 0);
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('while-down') }]);
    const second = await deploy(f);
    await waitUntil('queued event', () => second.out.length >= 1);
    expect(ids(second.out)).toEqual(['while-down']);
  });

  test('without a persistent session a fixed client id is not required and nothing is queued', async () => {
    const first = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(first));
    await helper.unload();
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('lost') }]);
    const second = await deploy(flow(broker.url));
    await waitUntil('connected', () => connected(second));
    await sleep(300);
    expect(second.out).toHaveLength(0);
  });

  test('a custom topic filter is subscribed at the chosen QoS', async () => {
    const d = await deploy(flow(broker.url, { kinds: [], topic: 'otro/+/eventos', qos: 2 }));
    await waitUntil('connected', () => connected(d));
    await publish(broker.url, [{ topic: 'otro/a/eventos', payload: bancoEvent('c1'), qos: 2 }, { topic: 'banco/transacciones', payload: bancoEvent('t9') }]);
    await waitUntil('custom event', () => d.out.length >= 1);
    await sleep(200);
    expect(d.out.map((m) => [m.topic, m.qos])).toEqual([['otro/a/eventos', 2]]);
  });
});

describe('banco-broker credentials', () => {
  let broker: AedesBroker;
  beforeAll(async () => {
    await helper.startServer();
    broker = await AedesBroker.start({ auth: { username: 'hub', password: 's3cret' } });
  });
  afterAll(async () => {
    await broker.stop();
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
    delete process.env.BANCO_TEST_MQTT_USER;
    delete process.env.BANCO_TEST_MQTT_PASS;
  });

  test('username and password given as ${ENV} credentials are read from the environment', async () => {
    process.env.BANCO_TEST_MQTT_USER = 'hub';
    process.env.BANCO_TEST_MQTT_PASS = 's3cret';
    const d = await deploy(flow(broker.url), { b1: { username: '${BANCO_TEST_MQTT_USER}', password: '${BANCO_TEST_MQTT_PASS}' } });
    await waitUntil('connected', () => connected(d));
  });

  test('a wrong password shows an error status, never connected', async () => {
    const d = await deploy(flow(broker.url), { b1: { username: 'hub', password: 'wrong' } });
    await waitUntil('error status', () => /status\.error/.test(lastStatus(d)));
    await sleep(500);
    expect(statusTexts(d.statuses)).not.toContain(CONNECTED);
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'red' });
  });
});
