/**
 * The core's MQTT client: publishes outbox rows for the relay and statistics snapshots, and
 * leaves a last will on `<prefix>/alertas` (CONTRACT §5) so subscribers learn when a publisher
 * vanished without saying goodbye.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { ConfigError } from '../errors';
import { safeUrl, type Logger } from '../log';
import type { Estadisticas } from '../protocol/context';
import { Slots } from '../slots';
import type { RelayPublisher } from './relay';
import { STATS_PER_INSTANCE_TOPIC } from './event-catalog';

export interface PublisherOptions {
  /** The core instance (bounded, see instance-id.ts): part of the client id and of the last will. */
  instanceId: string;
  url: string;
  username: string | null;
  password: string | null;
  topicPrefix: string;
  /** How long start-up waits for the first connection before failing with a clear line. */
  connectTimeoutMs: number;
  /** Delay between reconnection attempts after the broker went away. */
  reconnectMs: number;
  /** Messages mqtt.js may hold unacknowledged at once; the relay's rounds are smaller. */
  inflightMax?: number;
}

/**
 * QoS 2 messages this client leaves awaiting PUBREC/PUBCOMP at once. The embedded broker closes a
 * connection with more than `inflight_inbound_max` (100) QoS 2 messages awaiting PUBREL, and across
 * that forced reconnection QoS 2 flows completed (PUBCOMP) without their message reaching
 * subscribers (docs/event-bus.md, "QoS 2 in flight"); kept well below the broker's bound.
 */
export const QOS2_INFLIGHT_MAX = 50;
/** How long close() waits for in-flight acknowledgements before cutting the connection. */
const CLOSE_WAIT_MS = 2000;
/** MQTT keep-alive: a publisher that vanished is noticed by the broker within 1.5× this (MQTT 3.1.1 §3.1.2.10). */
const KEEPALIVE_S = 30;

/**
 * The last will of one connection (CONTRACT §5): its own `id` (a new one per connection, so a
 * consumer that dedupes by id still sees every disconnection) and, as `timestamp`, the moment this
 * connection was made — a will is fixed at CONNECT, so "the publisher connected at `timestamp` is
 * gone"; the broker sends it when it notices the loss (at once on a closed socket, else within
 * 1.5× `keepalive_s`).
 */
export function lastWill(clientId: string, instanceId: string, now: Date): Record<string, unknown> {
  const timestamp = now.toISOString();
  return { id: randomUUID(), event: 'publisher_disconnected', client_id: clientId, instance_id: instanceId, timestamp, connected_at: timestamp, keepalive_s: KEEPALIVE_S };
}

export class MqttPublisher implements RelayPublisher {
  /** Bounded: `banco-core-` + instance id (≤ 64) + 8 hex, unique per process. */
  readonly clientId: string;
  private client: MqttClient | null = null;
  /** Publishes go out in call order: each waits for the one before it to be handed to mqtt.js. */
  private issued: Promise<void> = Promise.resolve();
  private readonly qos2Slots = new Slots(QOS2_INFLIGHT_MAX);

  constructor(private readonly options: PublisherOptions, private readonly log: Logger) {
    this.clientId = `banco-core-${options.instanceId}-${randomBytes(4).toString('hex')}`;
  }

  private will(): NonNullable<IClientOptions['will']> {
    const payload = JSON.stringify(lastWill(this.clientId, this.options.instanceId, new Date()));
    return { topic: `${this.options.topicPrefix}/alertas`, payload: Buffer.from(payload), qos: 1, retain: false };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects once; fails start-up with one line when the broker cannot be reached or refuses us. */
  async connect(): Promise<void> {
    const { url, username, password, topicPrefix, connectTimeoutMs, reconnectMs } = this.options;
    const client = mqtt.connect(url, {
      clientId: this.clientId,
      username: username ?? undefined,
      password: password ?? undefined,
      clean: true,
      keepalive: KEEPALIVE_S,
      connectTimeout: connectTimeoutMs,
      reconnectPeriod: reconnectMs,
      queueQoSZero: false,
      will: this.will(),
    });
    this.client = client;
    // mqtt.js builds each CONNECT from client.options, and emits 'reconnect' just before: every
    // connection gets its own will (own id, own connection time).
    client.on('reconnect', () => {
      client.options.will = this.will();
    });
    client.on('error', (err) => this.log.warn('mqtt.error', { url: safeUrl(url), err }));
    client.on('offline', () => this.log.warn('mqtt.offline', { url: safeUrl(url) }));
    client.on('connect', () => this.log.info('mqtt.connected', { url: safeUrl(url), clientId: this.clientId }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('timed out')), connectTimeoutMs + 500);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        client.end(true);
        reject(new ConfigError(`cannot reach MQTT broker at ${safeUrl(url)} (${(err as NodeJS.ErrnoException).code ?? err.message}); check MQTT_URL / MQTT_PORT and BANCO_MQTT_USERNAME / BANCO_MQTT_PASSWORD.`));
      };
      client.once('connect', () => {
        clearTimeout(timer);
        client.off('error', fail);
        resolve();
      });
      client.once('error', fail);
    });
  }

  /**
   * Resolves on PUBACK/PUBCOMP. A QoS 2 message waits for one of QOS2_INFLIGHT_MAX slots, and every
   * publish after it waits behind it, so mqtt.js still sends them in call (commit) order.
   */
  publish(topic: string, payload: string, options: { qos: 0 | 1 | 2; retain: boolean }): Promise<void> {
    const client = this.client;
    if (!client || !client.connected) return Promise.reject(new Error('not connected'));
    const turn = this.issued.then(() => (options.qos === 2 ? this.qos2Slots.acquire() : undefined));
    this.issued = turn;
    return turn.then(() => {
      const sent = client.publishAsync(topic, payload, options).then(() => undefined);
      if (options.qos === 2) {
        const release = (): void => this.qos2Slots.release();
        sent.then(release, release); // the caller gets the rejection through `sent`
      }
      return sent;
    });
  }

  waitConnected(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client || client.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('connect', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      client.on('connect', done);
    });
  }

  /**
   * Retained, QoS 0 `<prefix>/estadisticas` (CONTRACT §5) and this instance's own
   * `<prefix>/estadisticas/instancias/<instance>` (event-catalog.ts): not a committed fact, so no
   * outbox. Both carry `instancia`, so a reader knows whose connection figures it sees.
   */
  publishStats(stats: Estadisticas, id: string, timestamp: string): void {
    if (!this.connected) return;
    const payload = JSON.stringify({ id, timestamp, ...stats, instancia: this.options.instanceId });
    for (const topic of [`${this.options.topicPrefix}/estadisticas`, this.instanceStatsTopic()]) {
      this.client!.publish(topic, payload, { qos: 0, retain: true }, (err) => {
        if (err) this.log.debug('mqtt.stats_failed', { err });
      });
    }
  }

  private instanceStatsTopic(): string {
    return `${this.options.topicPrefix}/${STATS_PER_INSTANCE_TOPIC.replace('{instancia}', this.options.instanceId)}`;
  }

  /**
   * A clean DISCONNECT (so the broker does not send the last will); if in-flight messages cannot
   * be acknowledged in time (broker gone), the connection is cut: their rows stay unsent.
   */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_WAIT_MS);
    });
    const outcome = await Promise.race([client.endAsync().then(() => 'ended' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') await client.endAsync(true);
  }
}
