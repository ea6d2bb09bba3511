/**
 * A subscriber on a wildcard gets each message at most at the QoS it was granted (MQTT 3.1.1
 * §3.8.4): the chaos recorder on `banco/#` at QoS 1 got `banco/alertas` (QoS 2, CONTRACT §5) at
 * QoS 2 from aedes 1.2, late and sometimes not at all.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { atGrantedQos, filterMatches } from '../../core/broker/granted-qos';
import { freePort } from '../helpers/ports';

/** Messages per topic: alertas at QoS 2, transacciones at QoS 1, interleaved. */
const PER_TOPIC = 150;

it('delivers QoS 2 alerts to a QoS 1 wildcard subscriber at QoS 1, all of them, in order', async () => {
  const broker = await Aedes.createBroker({ authorizeForward: (client, packet) => atGrantedQos(client, packet) });
  const server = net.createServer(broker.handle);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const url = `mqtt://127.0.0.1:${port}`;
  const recorder = await mqtt.connectAsync(url, { clientId: 'granted-recorder', clean: false });
  const alertas: Array<{ n: number; qos: number }> = [];
  recorder.on('message', (topic, payload, packet) => {
    if (topic === 'banco/alertas') alertas.push({ n: Number(payload.toString()), qos: packet.qos });
  });
  await recorder.subscribeAsync('banco/#', { qos: 1 });
  const publisher = await mqtt.connectAsync(url, { clientId: 'granted-publisher', clean: true });
  try {
    const sends: Array<Promise<unknown>> = [];
    for (let n = 0; n < PER_TOPIC; n++) {
      sends.push(publisher.publishAsync('banco/alertas', String(n), { qos: 2 }));
      sends.push(publisher.publishAsync('banco/transacciones', String(n), { qos: 1 }));
    }
    await Promise.all(sends);
    const deadline = Date.now() + 5000;
    while (alertas.length < PER_TOPIC && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alertas.map((a) => a.n)).toEqual(Array.from({ length: PER_TOPIC }, (_, n) => n));
    expect(new Set(alertas.map((a) => a.qos))).toEqual(new Set([1]));
  } finally {
    await publisher.endAsync();
    await recorder.endAsync();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 20_000);

it('matches MQTT filters level by level', () => {
  expect(filterMatches('banco/#', 'banco/alertas')).toBe(true);
  expect(filterMatches('banco/#', 'banco')).toBe(true);
  expect(filterMatches('banco/+', 'banco/saldo/1')).toBe(false);
  expect(filterMatches('banco/saldo/+', 'banco/saldo/1')).toBe(true);
  expect(filterMatches('banco/alertas', 'banco/alertas/x')).toBe(false);
});
