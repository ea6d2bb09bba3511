/**
 * One MQTT connection shared by the nodes that use a banco-broker config node (model: core
 * `mqtt-broker`, minus its known faults). Users register and deregister; the client connects on
 * the first user and disconnects after the last leaves. Subscriptions are counted per filter and
 * per owner, re-sent after every reconnect, and each message reaches each owner once. The status
 * users see is the client's real state: "connected" only between CONNACK and the socket closing,
 * and keepalive makes a silent network close the socket.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { NODE_BOUNDS } from '../shared/bounds';
import { topicMatches } from '../shared/event-kinds';
import { HeldAcks, holdPubacks } from './ack-hold';
import type { TlsOptions } from './tls-options';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

export interface BrokerUser {
  id: string;
  onState(state: ConnectionState, detail?: string): void;
}

export interface DeliveredPacket {
  retain: boolean;
  qos: number;
  dup: boolean;
  /**
   * QoS 1 only: delays this message's PUBACK until the returned function is called (by every
   * handler that held it). Until then the broker still owns the message: if this process dies,
   * a persistent session redelivers it on the next connection (MQTT 3.1.1 §4.4). A release after
   * the connection was replaced sends nothing — that connection's broker will redeliver instead.
   */
  hold?: () => () => void;
}

export type MessageHandler = (topic: string, payload: Buffer, packet: DeliveredPacket) => void;

export interface ConnectionSettings {
  url: string;
  clientId: string;
  /** false = persistent session (MQTT 3.1.1 §3.1.2.4): the broker keeps our subscriptions and
   *  queues QoS 1/2 messages while we are disconnected, so none are lost across reconnects. */
  cleanSession: boolean;
  username?: string;
  password?: string;
  keepaliveS: number;
  tls?: TlsOptions;
  /** Set when the settings are unusable; the connection stays in `error` and never connects. */
  configError?: string;
}

interface Subscription {
  qos: 0 | 1 | 2;
  handlers: Map<string, MessageHandler>;
}

type Log = (text: string) => void;

export class BrokerConnection {
  private client: MqttClient | undefined;
  private readonly users = new Map<string, BrokerUser>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly clientListeners: Array<[string, (...args: never[]) => void]> = [];
  private state: ConnectionState = 'disconnected';
  private detail: string | undefined;
  private lastUserLeft: Array<() => void> = [];
  private ending: Promise<void> | undefined;
  /** Set once the owning config node closes: no reconnect after that. */
  private closed = false;
  /** Held PUBACKs of the current network connection, by packet id (ack-hold.ts). */
  private acks = new HeldAcks();

  constructor(private readonly settings: ConnectionSettings, private readonly log: Log = () => {}) {}

  get userCount(): number {
    return this.users.size;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  register(user: BrokerUser): void {
    this.users.set(user.id, user);
    user.onState(this.state, this.detail);
    if (this.users.size === 1) void this.connect();
  }

  /** Call after the user's own in-flight work is done; the last user out disconnects the client. */
  deregister(userId: string): Promise<void> {
    this.users.delete(userId);
    // The last user out of a persistent session leaves its subscriptions on the broker, which
    // then queues events until the next deploy reconnects with the same client id.
    const keepOnBroker = this.users.size === 0 && !this.settings.cleanSession;
    if (keepOnBroker) this.subscriptions.clear();
    for (const filter of [...this.subscriptions.keys()]) this.unsubscribe(userId, filter);
    if (this.users.size > 0) return Promise.resolve();
    for (const resolve of this.lastUserLeft.splice(0)) resolve();
    return this.disconnect();
  }

  subscribe(ownerId: string, filter: string, qos: 0 | 1 | 2, handler: MessageHandler): void {
    let sub = this.subscriptions.get(filter);
    if (!sub) {
      sub = { qos, handlers: new Map() };
      this.subscriptions.set(filter, sub);
    }
    const grew = qos > sub.qos;
    if (grew) sub.qos = qos;
    const first = sub.handlers.size === 0;
    sub.handlers.set(ownerId, handler);
    if ((first || grew) && this.client?.connected) this.sendSubscribe(filter, sub.qos);
  }

  unsubscribe(ownerId: string, filter: string): void {
    const sub = this.subscriptions.get(filter);
    if (!sub || !sub.handlers.delete(ownerId) || sub.handlers.size > 0) return;
    this.subscriptions.delete(filter);
    if (this.client?.connected) this.client.unsubscribe(filter);
  }

  /** Resolves once no user is left, or after `timeoutMs` (Node-RED stops close handlers at 15 s). */
  waitForUsersToLeave(timeoutMs: number): Promise<void> {
    if (this.users.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.lastUserLeft.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends the client whatever the user count; used when the config node itself closes. */
  close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.lastUserLeft.splice(0)) resolve();
    return this.disconnect();
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    for (const user of this.users.values()) user.onState(state, detail);
  }

  private async connect(): Promise<void> {
    if (this.ending) await this.ending;
    if (this.client || this.users.size === 0 || this.closed) return;
    if (this.settings.configError) return this.setState('error', this.settings.configError);
    this.setState('connecting');
    const client = mqtt.connect(this.settings.url, this.clientOptions());
    this.client = client;
    holdPubacks(client, () => this.acks);
    this.listen(client, 'connect', () => this.onConnect());
    this.listen(client, 'reconnect', () => this.setState('connecting'));
    this.listen(client, 'close', () => this.onClose());
    this.listen(client, 'offline', () => this.onClose());
    this.listen(client, 'error', (err: Error) => this.onError(err));
    this.listen(client, 'message', (topic: string, payload: Buffer, packet: IPublishPacket) => this.dispatch(topic, payload, packet));
  }

  private clientOptions(): IClientOptions {
    const s = this.settings;
    return {
      clientId: s.clientId,
      username: s.username || undefined,
      password: s.password || undefined,
      keepalive: s.keepaliveS,
      clean: s.cleanSession,
      // We re-send subscriptions ourselves on every CONNACK, so they match the current users.
      resubscribe: false,
      reconnectPeriod: NODE_BOUNDS.reconnect_ms,
      connectTimeout: NODE_BOUNDS.connect_timeout_ms,
      protocolVersion: 4,
      ...(s.tls ?? {}),
    };
  }

  private listen(client: MqttClient, event: string, fn: (...args: never[]) => void): void {
    client.on(event as 'connect', fn as () => void);
    this.clientListeners.push([event, fn]);
  }

  private onConnect(): void {
    this.renewAcks();
    this.setState('connected');
    for (const [filter, sub] of this.subscriptions) this.sendSubscribe(filter, sub.qos);
  }

  /** Acks held for a network connection that closed must never be sent on the next one
   *  (mqtt.js would queue them offline, and the broker reuses packet ids). */
  private renewAcks(): void {
    this.acks.abandon();
    this.acks = new HeldAcks();
  }

  private onClose(): void {
    this.renewAcks();
    if (this.state !== 'error') this.setState('disconnected');
  }

  private onError(err: Error): void {
    this.log(`MQTT ${this.settings.url}: ${err.message}`);
    this.setState('error', err.message);
  }

  private sendSubscribe(filter: string, qos: 0 | 1 | 2): void {
    this.client?.subscribe(filter, { qos }, (err, granted) => {
      const refused = err ? err.message : granted?.find((g) => g.qos === 128) ? 'subscription refused by the broker' : undefined;
      if (refused) {
        this.log(`subscribe ${filter}: ${refused}`);
        this.setState('error', `subscribe ${filter}: ${refused}`);
      }
    });
  }

  /** Each owner gets a message once, even when several of its filters match the topic. */
  private dispatch(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const handlers = new Map<string, MessageHandler>();
    for (const [filter, sub] of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      for (const [owner, handler] of sub.handlers) if (!handlers.has(owner)) handlers.set(owner, handler);
    }
    const delivered: DeliveredPacket = { retain: Boolean(packet.retain), qos: packet.qos, dup: Boolean(packet.dup) };
    if (packet.qos === 1 && packet.messageId !== undefined) {
      const acks = this.acks;
      const id = packet.messageId;
      delivered.hold = () => acks.hold(id);
    }
    for (const handler of handlers.values()) {
      try {
        handler(topic, payload, delivered);
      } catch (err) {
        this.log(`message handler for ${topic} threw: ${(err as Error).message}`);
      }
    }
  }

  private disconnect(): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    this.client = undefined;
    for (const [event, fn] of this.clientListeners.splice(0)) client.removeListener(event as 'connect', fn as () => void);
    // mqtt.js emits 'error' during teardown too; an unhandled 'error' would crash the process.
    client.on('error', () => {});
    this.ending = endWithin(client, NODE_BOUNDS.end_timeout_ms).finally(() => {
      this.ending = undefined;
      this.setState('disconnected');
    });
    return this.ending;
  }
}

/**
 * Graceful DISCONNECT when connected, bounded by `timeoutMs`; a client still connecting is
 * forced, because mqtt.js completes a pending connect after a graceful end().
 */
function endWithin(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return client.end(true, {}, () => resolve());
    const timer = setTimeout(() => client.end(true, {}, () => resolve()), timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
