/**
 * The MQTT side of the check: one subscriber on `<prefix>/#` at QoS 1 with a persistent session
 * (clean session off), connected before the load, that records every delivery in arrival order.
 * Duplicates are kept here (at-least-once delivery, CONTRACT §5); the checker counts and drops them.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface Delivery {
  /** Topic below the prefix, e.g. "transacciones" or "saldo/1350509525" (as in the outbox). */
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
  /** Epoch ms at arrival, to measure how late an event came (its payload's `timestamp` is the commit). */
  receivedMs: number;
}

export interface EventRecorder {
  deliveries: Delivery[];
  /** Payloads that were not a JSON object (a violation of CONTRACT §5). */
  unreadable: number;
  stop(): Promise<void>;
}

const PREFIX = 'banco';

export async function recordEvents(url: string, clientId: string, login: { username: string; password: string }): Promise<EventRecorder> {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 200, protocolVersion: 4, username: login.username, password: login.password });
  const recorder: EventRecorder = {
    deliveries: [],
    unreadable: 0,
    stop: async () => {
      await client.endAsync();
    },
  };
  client.on('message', (topic, payload, packet) => {
    const parsed = parseObject(payload.toString('utf8'));
    if (!parsed) {
      recorder.unreadable++;
      return;
    }
    recorder.deliveries.push({ topic: topic.slice(PREFIX.length + 1), payload: parsed, retain: packet.retain, receivedMs: Date.now() });
  });
  const granted = await client.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
  if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${PREFIX}/#`);
  return recorder;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // counted by the caller as an unreadable payload
  }
}
