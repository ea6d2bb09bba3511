/**
 * A real aedes broker on a free port (never 1883) that can be stopped and started again on the
 * same port, optionally over TLS and with a username/password check.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from './ports';

export interface BrokerOptions {
  auth?: { username: string; password: string };
  tls?: tls.TlsOptions;
}

export class AedesBroker {
  private server: net.Server | undefined;
  broker: Aedes | undefined;

  private constructor(readonly port: number, private readonly opts: BrokerOptions) {}

  static async start(opts: BrokerOptions = {}): Promise<AedesBroker> {
    const b = new AedesBroker(await freePort(), opts);
    await b.restart();
    return b;
  }

  get url(): string {
    return `${this.opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get clients(): number {
    return this.broker?.connectedClients ?? 0;
  }

  async restart(): Promise<void> {
    const broker = await Aedes.createBroker(this.aedesOptions());
    const server = this.opts.tls ? tls.createServer(this.opts.tls, broker.handle) : net.createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.broker = broker;
    this.server = server;
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = undefined;
    this.broker = undefined;
    if (!server || !broker) return;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private aedesOptions(): AedesOptions {
    const auth = this.opts.auth;
    if (!auth) return {};
    return {
      authenticate: (_client, username, password, done) => {
        const ok = username === auth.username && password?.toString() === auth.password;
        if (ok) return done(null, true);
        const err = Object.assign(new Error('bad username or password'), { returnCode: 4 });
        done(err as never, false);
      },
    };
  }
}

/** Publishes events (objects or raw strings) and disconnects. */
export async function publish(url: string, messages: Array<{ topic: string; payload: object | string; retain?: boolean; qos?: 0 | 1 | 2 }>, options: mqtt.IClientOptions = {}): Promise<void> {
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  try {
    for (const m of messages) {
      const body = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
      await client.publishAsync(m.topic, body, { qos: m.qos ?? 1, retain: m.retain ?? false });
    }
  } finally {
    await client.endAsync();
  }
}

export function bancoEvent(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, timestamp: '2025-01-01T00:00:00.000Z', cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 1150, ...extra };
}
