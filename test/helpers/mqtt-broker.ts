/**
 * A bare aedes broker on a free port for tests that need "a real MQTT broker" but not the hub's
 * embedded one; it can be stopped and started again on the same port (broker-restart faults).
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from './ports';

export class TestBroker {
  private server: net.Server | null = null;
  private broker: Aedes | null = null;

  private constructor(readonly port: number) {}

  static async start(port?: number): Promise<TestBroker> {
    const b = new TestBroker(port ?? (await freePort()));
    await b.restart();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.broker = broker;
    this.server = server;
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (!server || !broker) return;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // close() waits for clients; aedes.close() already ended them.
    });
  }
}

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
