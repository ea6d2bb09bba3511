/**
 * The one MQTT connection of an IoT Hub device (IoT Hub allows one per device), shared by the
 * banco-azure-iot nodes that use a banco-azure-device config node. mqtt.js speaks the dialect
 * directly; this class owns what the existing IoT Hub nodes get wrong:
 *
 * - **Token renewal**: every connect attempt signs a fresh SAS token; once 80 % of its life has
 *   passed the client disconnects gracefully (waiting for its PUBACKs) and connects again with a
 *   new one, before IoT Hub would cut it off at expiry.
 * - **Reconnect with backoff**: a lost or refused connection is retried after 1 s, doubling to
 *   60 s, with jitter. mqtt.js' own fixed-period reconnect is off (it would reuse the old token).
 * - **Truthful state**: `connected` only between CONNACK and the socket closing; a refused
 *   CONNACK (return code 4/5) is `auth_failed`, which sends fail at once instead of waiting.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { SinkError } from '../shared/sink/sink-error';
import { backoffMs } from '../shared/sink/sink-queue';
import { c2dFilter, c2dProperties, mqttUsername } from './dialect';
import type { DeviceSettings } from './device-settings';
import { renewDelay_ms } from './device-settings';
import { AZURE_LIMITS } from './limits';
import { deviceResourceUri, sasToken } from './sas-token';

export type DeviceState = 'connecting' | 'connected' | 'renewing' | 'disconnected' | 'auth_failed' | 'error' | 'closed';

export interface C2dMessage {
  topic: string;
  payload: Buffer;
  properties: Record<string, string>;
}

export interface DeviceUser {
  id: string;
  onState(state: DeviceState, detail?: string): void;
  onC2d(message: C2dMessage): void;
}

export interface DeviceConnectionOptions {
  log?: (text: string) => void;
  /** Injected for tests (STYLE §7). */
  now_ms?: () => number;
}

/** MQTT 3.1.1 CONNACK return codes that mean "your credentials were refused" (§3.2.2.3). */
const AUTH_REFUSED_CODES: ReadonlySet<number> = new Set([4, 5]);

export class DeviceConnection {
  private client: MqttClient | undefined;
  private readonly users = new Map<string, DeviceUser>();
  /** 'connecting' from the start: the first user's register() connects at once, so a status drawn
   *  before that shows no false 'disconnected'. */
  private state_: DeviceState = 'connecting';
  private detail: string | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastUserLeft: Array<() => void> = [];
  private stateWaiters = new Set<() => void>();
  private readonly log: (text: string) => void;
  private readonly now: () => number;
  /** Connections opened (CONNACK accepted) and token renewals done, for status and tests. */
  readonly counters = { connects: 0, renewals: 0 };

  constructor(readonly settings: DeviceSettings, opts: DeviceConnectionOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now_ms ?? Date.now;
  }

  get state(): DeviceState {
    return this.state_;
  }

  get stateDetail(): string | undefined {
    return this.detail;
  }

  register(user: DeviceUser): void {
    this.users.set(user.id, user);
    user.onState(this.state_, this.detail);
    if (this.users.size === 1 && !this.client && !this.retryTimer) this.connect();
  }

  /** Call after the user's own in-flight work is done; the last user out disconnects. */
  deregister(userId: string): Promise<void> {
    this.users.delete(userId);
    if (this.users.size > 0) return Promise.resolve();
    for (const resolve of this.lastUserLeft.splice(0)) resolve();
    return this.disconnect('disconnected');
  }

  /** Resolves once no user is left, or after `timeoutMs`. */
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

  close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.lastUserLeft.splice(0)) resolve();
    return this.disconnect('closed');
  }

  /**
   * Publishes at QoS 1 (IoT Hub closes the connection on QoS 2) and resolves on PUBACK. Waits for
   * the connection up to `send_wait_connected_ms`; rejects with a SinkError: `auth` when the hub
   * refused the credentials, `transient` otherwise (the queue retries), `closed` when closing.
   */
  async publish(topic: string, body: Buffer): Promise<void> {
    const client = await this.whenConnected(AZURE_LIMITS.send_wait_connected_ms);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SinkError('transient', `no PUBACK from IoT Hub within ${AZURE_LIMITS.puback_timeout_ms} ms`)), AZURE_LIMITS.puback_timeout_ms);
      client.publish(topic, body, { qos: 1, retain: false }, (err) => {
        clearTimeout(timer);
        if (err) reject(new SinkError('transient', `publish to IoT Hub failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  private whenConnected(timeoutMs: number): Promise<MqttClient> {
    const ready = this.readiness();
    if (ready instanceof SinkError) return Promise.reject(ready);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.stateWaiters.delete(check);
      };
      const check = (): void => {
        const outcome = this.readiness();
        if (!outcome) return;
        finish();
        if (outcome instanceof SinkError) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new SinkError('transient', `not connected to IoT Hub (${this.state_}${this.detail ? `: ${this.detail}` : ''}) after waiting ${timeoutMs} ms`));
      }, timeoutMs);
      this.stateWaiters.add(check);
    });
  }

  /** A connected client, a SinkError to fail with now, or undefined to keep waiting. */
  private readiness(): MqttClient | SinkError | undefined {
    if (this.state_ === 'connected' && this.client?.connected) return this.client;
    if (this.state_ === 'auth_failed') return new SinkError('auth', `IoT Hub refused the device credentials: ${this.detail ?? 'not authorized'}`);
    if (this.state_ === 'closed' || this.closed || this.users.size === 0) return new SinkError('closed', 'the IoT Hub device connection is closed');
    return undefined;
  }

  private setState(state: DeviceState, detail?: string): void {
    if (state === this.state_ && detail === this.detail) return;
    this.state_ = state;
    this.detail = detail;
    for (const user of this.users.values()) user.onState(state, detail);
    for (const waiter of [...this.stateWaiters]) waiter();
  }

  private clientOptions(): IClientOptions & { expiry_ms?: number } {
    const s = this.settings;
    const { hostName, deviceId, sharedAccessKey } = s.identity;
    const options: IClientOptions = {
      protocol: 'mqtts',
      host: s.host,
      port: s.port,
      protocolVersion: 4,
      clientId: deviceId,
      username: mqttUsername(hostName, deviceId),
      // IoT Hub keeps the C2D subscription of a persistent session; we subscribe again anyway.
      clean: false,
      keepalive: AZURE_LIMITS.keepalive_s,
      reconnectPeriod: 0,
      connectTimeout: AZURE_LIMITS.connect_timeout_ms,
      resubscribe: false,
      rejectUnauthorized: true,
      ...s.tls,
    };
    if (!sharedAccessKey) return options;
    const expiry_s = Math.floor(this.now() / 1000) + s.tokenLifetime_s;
    options.password = sasToken({ resourceUri: deviceResourceUri(hostName, deviceId), keyBase64: sharedAccessKey, expiry_s });
    return { ...options, expiry_ms: expiry_s * 1000 };
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.closed || this.users.size === 0 || this.client) return;
    if (this.state_ !== 'auth_failed' && this.state_ !== 'renewing') this.setState('connecting', this.detail);
    const { expiry_ms, ...options } = this.clientOptions();
    const client = mqtt.connect(options);
    this.client = client;
    client.on('connect', () => this.onConnect(client, expiry_ms));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err: Error & { code?: unknown }) => this.onError(client, err));
    client.on('close', () => this.onClose(client));
  }

  private onConnect(client: MqttClient, expiry_ms: number | undefined): void {
    if (client !== this.client) return;
    this.failures = 0;
    this.counters.connects += 1;
    client.subscribe(c2dFilter(this.settings.identity.deviceId), { qos: 1 }, (err, granted) => {
      const refused = err?.message ?? (granted?.some((g) => g.qos === 128) ? 'refused by the hub' : undefined);
      if (refused) this.log(`IoT Hub C2D subscription: ${refused}`);
    });
    if (expiry_ms !== undefined) {
      clearTimeout(this.renewTimer);
      this.renewTimer = setTimeout(() => this.renew(client), renewDelay_ms(expiry_ms, this.settings.tokenLifetime_s, this.now()));
    }
    this.setState('connected');
  }

  /** Graceful DISCONNECT (in-flight PUBACKs are awaited), then at once a new connection with a fresh token. */
  private renew(client: MqttClient): void {
    if (client !== this.client || this.closed) return;
    this.client = undefined;
    this.setState('renewing');
    void endWithin(client, AZURE_LIMITS.end_timeout_ms).then(() => {
      this.counters.renewals += 1;
      this.connect();
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const properties = c2dProperties(this.settings.identity.deviceId, topic);
    if (!properties) return this.log(`IoT Hub message on an unexpected topic ignored: ${topic.slice(0, 200)}`);
    for (const user of this.users.values()) user.onC2d({ topic, payload, properties });
  }

  private onError(client: MqttClient, err: Error & { code?: unknown }): void {
    if (client !== this.client) return;
    const code = typeof err.code === 'number' ? err.code : undefined;
    if (code !== undefined && AUTH_REFUSED_CODES.has(code)) {
      if (this.state_ !== 'auth_failed') this.log(`IoT Hub refused device ${this.settings.identity.deviceId}: ${err.message}`);
      this.setState('auth_failed', err.message);
    } else {
      this.detail = err.message;
    }
  }

  /** A lost or refused connection: reconnect after a backoff, unless we are renewing or closing. */
  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = undefined;
    clearTimeout(this.renewTimer);
    client.removeAllListeners('connect');
    client.on('error', () => {});
    client.end(true);
    if (this.closed || this.users.size === 0) return;
    this.failures += 1;
    if (this.state_ !== 'auth_failed') this.setState('disconnected', this.detail);
    const delay = backoffMs({ initial_ms: AZURE_LIMITS.reconnect_ms_initial, max_ms: AZURE_LIMITS.reconnect_ms_max, attempts_max: Infinity }, this.failures);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private disconnect(finalState: 'disconnected' | 'closed'): Promise<void> {
    // Sends still waiting for a connection fail now ('closed') instead of at their timeout.
    for (const waiter of [...this.stateWaiters]) waiter();
    clearTimeout(this.retryTimer);
    clearTimeout(this.renewTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) {
      this.setState(finalState);
      return Promise.resolve();
    }
    return endWithin(client, AZURE_LIMITS.end_timeout_ms).then(() => this.setState(finalState));
  }
}

/** Graceful DISCONNECT when connected (mqtt.js waits for in-flight PUBACKs), forced after `timeoutMs`. */
function endWithin(client: MqttClient, timeoutMs: number): Promise<void> {
  client.removeAllListeners('close');
  client.removeAllListeners('connect');
  client.on('error', () => {});
  return new Promise((resolve) => {
    if (!client.connected) return client.end(true, {}, () => resolve());
    const timer = setTimeout(() => client.end(true, {}, () => resolve()), timeoutMs);
    client.end(false, {}, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
