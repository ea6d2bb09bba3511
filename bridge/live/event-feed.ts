/**
 * The bus side of live updates: one MQTT subscription per bridge process to every account's
 * retained balance (`<prefix>/saldo/+`), the movements (`<prefix>/transacciones`) and the stats.
 * Stale balances are dropped by version here, before any socket sees them. mqtt.js reconnects and
 * resubscribes by itself (clean session: retained balances are replayed, and filtered again).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { EventBusConfig } from '../../core/config';
import { HubError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { parseBalanceEvent, parseMovementEvent, parseStatsEvent, type BalanceEvent, type MovementEvent } from './balance-event';
import { VersionTable } from './version-table';

export interface LiveSink {
  balance(e: BalanceEvent): void;
  movement(e: MovementEvent): void;
  stats(s: Record<string, number>): void;
}

const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_PERIOD_MS = 1000;

export class EventFeed {
  readonly versions = new VersionTable();
  private client: MqttClient | null = null;

  constructor(private readonly bus: EventBusConfig, private readonly sink: LiveSink, private readonly log: Logger) {}

  /** A balance the bridge learnt first-hand (a movement's result): pushed now, not after the relay. */
  offerBalance(e: BalanceEvent): void {
    if (this.versions.advance(e.cedula, e.version)) this.sink.balance(e);
  }

  async start(): Promise<void> {
    const p = this.bus.topicPrefix;
    const client = await mqtt
      .connectAsync(this.bus.url, {
        username: this.bus.username ?? undefined,
        password: this.bus.password ?? undefined,
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectPeriod: RECONNECT_PERIOD_MS,
        clientId: `banco-bridge-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      })
      .catch((err: unknown) => {
        throw new HubError('NO_DISPONIBLE', `the bridge cannot reach the MQTT broker at ${this.bus.url}: ${(err as Error).message}; start the broker or set MQTT_URL.`, { cause: err });
      });
    this.client = client;
    client.on('message', (topic, payload) => this.route(topic, payload));
    client.on('error', (err) => this.log.warn('bridge.mqtt_error', { err }));
    await client.subscribeAsync({ [`${p}/saldo/+`]: { qos: 1 }, [`${p}/transacciones`]: { qos: 1 }, [`${p}/estadisticas`]: { qos: 0 } });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  private route(topic: string, payload: Buffer): void {
    const p = this.bus.topicPrefix;
    if (topic.startsWith(`${p}/saldo/`)) {
      const e = parseBalanceEvent(payload);
      if (e !== null && topic === `${p}/saldo/${e.cedula}`) this.offerBalance(e);
    } else if (topic === `${p}/transacciones`) {
      const e = parseMovementEvent(payload);
      if (e !== null) this.sink.movement(e);
    } else if (topic === `${p}/estadisticas`) {
      const s = parseStatsEvent(payload);
      if (s !== null) this.sink.stats(s);
    }
  }
}
