/**
 * Two instances of a flow that must act once per event (email, Kafka, Azure IoT) share the events
 * with an MQTT shared subscription on Mosquitto: each event reaches exactly one of them.
 * Real Mosquitto (the shipped development config on free ports); the two "instances" are two
 * broker config nodes with their own client ids, as two Node-RED processes would have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bancoBroker from '../../../nodes/banco-broker/banco-broker';
import bancoEvents from '../../../nodes/banco-events/banco-events';
import { filtersFor } from '../../../nodes/banco-events/subscriptions';
import { topicMatches } from '../../../nodes/shared/event-kinds';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { bancoEvent, publish } from '../../helpers/aedes-broker';
import { describeWith } from '../../helpers/services';
import { startMosquitto, type RunningMosquitto } from '../../mosquitto/run-mosquitto';
import { collect, helper, sleep, waitUntil } from '../helpers/red';

const EVENTS = 200;

function instance(n: number, url: string, shareGroup: string): object[] {
  return [
    { id: `b${n}`, type: 'banco-broker', z: '', url, keepalive: 5, clientId: `share-test-${n}`, persistentSession: true },
    { id: `e${n}`, type: 'banco-events', z: 'tab', broker: `b${n}`, kinds: ['transactions'], shareGroup, wires: [[`out${n}`]] },
    { id: `out${n}`, type: 'helper', z: 'tab' },
  ];
}

describe('share group settings', () => {
  it('prefixes every filter with $share/<group>/ and refuses a group that is not one plain level', () => {
    const shared = filtersFor({ kinds: ['transactions', 'alerts'], shareGroup: 'email' }, 'banco');
    expect(shared.ok && shared.filters.map((f) => f.filter)).toEqual(['$share/email/banco/transacciones', '$share/email/banco/alertas']);
    expect(filtersFor({ kinds: ['transactions'], shareGroup: 'a/b' }, 'banco')).toMatchObject({ ok: false, message: expect.stringMatching(/share group/) });
    expect(filtersFor({ kinds: ['transactions'], shareGroup: '+' }, 'banco')).toMatchObject({ ok: false });
  });

  it('a shared filter matches the topics its inner filter matches', () => {
    expect(topicMatches('$share/email/banco/saldo/+', 'banco/saldo/1350509525')).toBe(true);
    expect(topicMatches('$share/email/banco/alertas', 'banco/transacciones')).toBe(false);
  });
});

describeWith('mosquitto', 'banco-events in a share group on Mosquitto', () => {
  let mosquitto: RunningMosquitto;
  let url: string;

  beforeAll(async () => {
    await helper.startServer();
    mosquitto = await startMosquitto('mosquitto.conf', fs.mkdtempSync(path.join(os.tmpdir(), 'banco-share-')));
    url = `mqtt://127.0.0.1:${mosquitto.port(1883)}`;
  });
  afterAll(async () => {
    await helper.stopServer();
    await mosquitto?.stop();
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function deploy(group: string): Promise<NodeMessage[][]> {
    await helper.load([bancoBroker, bancoEvents], [{ id: 'tab', type: 'tab' }, ...instance(1, url, group), ...instance(2, url, group)]);
    const outs = [collect('out1'), collect('out2')];
    await sleep(500); // both subscribed
    return outs;
  }

  it('with a share group, each event reaches exactly one instance, and both get some', async () => {
    const [one, two] = await deploy('email');
    await publish(url, Array.from({ length: EVENTS }, (_, i) => ({ topic: 'banco/transacciones', payload: bancoEvent(`s${i}`) })));
    await waitUntil('every event handled', () => one.length + two.length >= EVENTS);
    await sleep(300);
    const ids = [...one, ...two].map((m) => m.eventId);
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
  });

  it('without one, every instance gets every event', async () => {
    const [one, two] = await deploy('');
    await publish(url, Array.from({ length: 20 }, (_, i) => ({ topic: 'banco/transacciones', payload: bancoEvent(`n${i}`) })));
    await waitUntil('both got all', () => one.length >= 20 && two.length >= 20);
  });
});
