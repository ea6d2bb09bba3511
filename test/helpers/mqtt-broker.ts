/**
 * MQTT helpers for the core's suites: a real aedes broker that can be stopped and started again
 * on the same port (broker-restart faults), and a recording subscriber.
 */
import mqtt, { type MqttClient } from 'mqtt';

/** The shared test broker (test/helpers/aedes-broker.ts), under the name these suites use. */
export { AedesBroker as TestBroker } from './aedes-broker';

export interface Received {
  topic: string;
  payload: Record<string, unknown>;
  qos: number;
  retain: boolean;
}

/** A subscriber that records every message it gets. */
export async function subscriber(url: string, topics: string | string[], options: mqtt.IClientOptions = {}): Promise<{ client: MqttClient; messages: Received[]; waitFor: (n: number, timeoutMs?: number) => Promise<Received[]> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, ...options });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: JSON.parse(payload.toString()), qos: packet.qos, retain: packet.retain });
  });
  await client.subscribeAsync(topics, { qos: 2 });
  const waitFor = async (n: number, timeoutMs = 10_000): Promise<Received[]> => {
    const deadline = Date.now() + timeoutMs;
    while (messages.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${messages.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return messages;
  };
  return { client, messages, waitFor };
}
