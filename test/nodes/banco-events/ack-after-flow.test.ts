/**
 * "Acknowledge after the flow is done": banco-events holds an event's PUBACK until every node it
 * reached is done with it, so the broker keeps (and redelivers) what the flow had not finished.
 * Real aedes broker; the PUBACKs are observed on the broker side (aedes 'ack' events).
 */
import bancoBroker from '../../../nodes/banco-broker/banco-broker';
import bancoEvents from '../../../nodes/banco-events/banco-events';
import { settleStats } from '../../../nodes/shared/flow-settle';
import type { DoneFn, NodeDef, NodeMessage, RedAPI, RedNode } from '../../../nodes/shared/node-red';
import { AedesBroker, bancoEvent, publish } from '../../helpers/aedes-broker';
import { collect, helper, sleep, waitUntil } from '../helpers/red';

/** A sink whose done() the test calls: stands for banco-audit waiting for its fsync. */
const gated: Array<{ msg: NodeMessage; done: DoneFn }> = [];
function gateNode(RED: RedAPI): void {
  function Gate(this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg, _send, done) => { gated.push({ msg, done }); });
  }
  RED.nodes.registerType('gate', Gate);
}

const NODES = [bancoBroker, bancoEvents, gateNode];
const CLIENT_ID = 'ack-after-flow-test';

function flow(url: string, sinks: 'gate' | 'helper' | 'both', events: Record<string, unknown> = {}): object[] {
  const targets = sinks === 'both' ? ['g1', 'out'] : sinks === 'gate' ? ['g1'] : ['out'];
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'b1', type: 'banco-broker', z: '', url, keepalive: 2, clientId: CLIENT_ID, persistentSession: true },
    { id: 'e1', type: 'banco-events', z: 'tab', broker: 'b1', kinds: ['transactions'], wires: [targets], ...events },
    { id: 'g1', type: 'gate', z: 'tab', wires: [] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c1', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

describe('banco-events holds the acknowledgement until the flow is done', () => {
  let broker: AedesBroker;
  let acked: number[];

  beforeAll(async () => {
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    gated.length = 0;
    broker = await AedesBroker.start();
    acked = [];
    broker.broker!.on('ack', (packet, client) => {
      if (client?.id === CLIENT_ID && packet && 'messageId' in packet) acked.push(Date.now());
    });
  });
  afterEach(async () => {
    await helper.unload();
    await broker.stop();
  });

  async function deploy(sinks: 'gate' | 'helper' | 'both', events: Record<string, unknown> = {}): Promise<{ out: NodeMessage[] }> {
    await helper.load(NODES, flow(broker.url, sinks, events));
    await waitUntil('connected', () => broker.clients >= 1);
    await sleep(200);
    return { out: collect('out') };
  }

  test('the PUBACK is sent only after the sink called done', async () => {
    await deploy('gate');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('a1') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    await sleep(300);
    expect(acked).toHaveLength(0);
    const doneAt = Date.now();
    gated[0].done();
    await waitUntil('acknowledged', () => acked.length === 1);
    expect(acked[0]).toBeGreaterThanOrEqual(doneAt);
  });

  test('an event the sink never finished is delivered again after a restart', async () => {
    await deploy('gate');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('a2') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    await helper.unload(); // Node-RED stops with the event still unfinished
    gated.length = 0;
    await deploy('gate');
    await waitUntil('the event came back', () => gated.length === 1);
    expect(gated[0].msg.eventId).toBe('a2');
    gated[0].done();
    await waitUntil('acknowledged once', () => acked.length === 1);
  });

  test('with two sinks, the acknowledgement waits for the slower one', async () => {
    const d = await deploy('both');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('a3') }]);
    await waitUntil('both got it', () => gated.length === 1 && d.out.length === 1);
    await sleep(300);
    expect(acked).toHaveLength(0);
    gated[0].done();
    await waitUntil('acknowledged', () => acked.length === 1);
  });

  test('an error reported to Catch does not count as the sink being done', async () => {
    await deploy('gate');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('a4') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    // Another node reports an error about the same message: Catch gets a copy, no delivery.
    const e1 = helper.getNode('e1') as unknown as { error(err: Error, msg: NodeMessage): void };
    e1.error(new Error('unrelated'), gated[0].msg);
    await sleep(300);
    expect(acked).toHaveLength(0);
    gated[0].done();
    await waitUntil('acknowledged', () => acked.length === 1);
  });

  test('a node that does not take done is done when its handler returned', async () => {
    const d = await deploy('helper');
    await publish(broker.url, [1, 2, 3].map((i) => ({ topic: 'banco/transacciones', payload: bancoEvent(`h${i}`) })));
    await waitUntil('three out and acknowledged', () => d.out.length === 3 && acked.length === 3);
    expect(settleStats().held).toBe(0);
  });

  test('with the option off, the event is acknowledged on arrival', async () => {
    await deploy('gate', { ackAfterFlow: false });
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('a5') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    await waitUntil('acknowledged without done', () => acked.length === 1);
    gated[0].done();
  });

  test('an event still unfinished at a full redeploy is delivered to the sink again, then acknowledged once', async () => {
    await deploy('gate');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('r1') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    gated.length = 0;
    // The redeploy keeps the node id (its dedupe window is carried over in the global context).
    await (helper as unknown as { setFlows(f: object[], t: string): Promise<void> }).setFlows(flow(broker.url, 'gate'), 'full');
    await waitUntil('the event came back after the redeploy', () => gated.length === 1, 15_000);
    expect(gated[0].msg.eventId).toBe('r1');
    expect(acked).toHaveLength(0);
    gated[0].done();
    await waitUntil('acknowledged', () => acked.length === 1);
  });

  test('a sink ending the event with an error still lets it be acknowledged (no in-flight slot is kept for ever)', async () => {
    await deploy('gate');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('c1') }]);
    await waitUntil('the sink got the event', () => gated.length === 1);
    gated[0].done(Object.assign(new Error('the node is closing'), { code: 'closed' }));
    await waitUntil('acknowledged', () => acked.length === 1);
    expect(settleStats().held).toBe(0);
  });
});
