/**
 * The publisher's last will (CONTRACT §5): an event like any other, with its own `id` per
 * connection and, as `timestamp`, when the connection that was lost had been made.
 */
import { silentLogger } from '../../core/log';
import { MqttPublisher } from '../../core/outbox/mqtt-publisher';
import { subscriber, TestBroker } from '../helpers/mqtt-broker';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

it('gives the will of a reconnected publisher a new id and the time of the new connection', async () => {
  const broker = await TestBroker.start();
  const publisher = new MqttPublisher({ instanceId: 'will-test', url: broker.url, username: null, password: null, topicPrefix: 'banco', connectTimeoutMs: 2000, reconnectMs: 100 }, silentLogger);
  await publisher.connect();
  const firstConnectionMs = Date.now();
  try {
    await new Promise((r) => setTimeout(r, 50));
    const stoppedMs = Date.now();
    await broker.stop(); // the first connection ends with the broker: its will is never sent
    await broker.restart();
    const clients = (): Record<string, { conn: { destroy(): void } } | undefined> => (broker.broker as unknown as { clients: Record<string, { conn: { destroy(): void } }> }).clients;
    const deadline = Date.now() + 5000;
    while (!clients()[publisher.clientId] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const sub = await subscriber(broker.url, 'banco/alertas');
    // The broker loses the publisher's connection without a DISCONNECT: it sends the will.
    clients()[publisher.clientId]!.conn.destroy();
    const [will] = await sub.waitFor(1);
    expect(will.payload).toMatchObject({ event: 'publisher_disconnected', client_id: publisher.clientId, instance_id: 'will-test', id: expect.stringMatching(UUID) });
    const timestampMs = Date.parse(will.payload.timestamp as string);
    expect(timestampMs).toBeGreaterThanOrEqual(stoppedMs); // the second connection's time, not the first's
    expect(timestampMs).toBeGreaterThan(firstConnectionMs + 40);
    await sub.client.endAsync();
  } finally {
    await publisher.close();
    await broker.stop();
  }
});
