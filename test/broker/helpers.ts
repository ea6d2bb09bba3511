/** Shared by the broker suites: a real embedded broker on ephemeral ports, real mqtt.js clients. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { loadBrokerConfig, type BrokerOptions } from '../../core/broker/config';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../core/broker/embedded-broker';
import { writeUsersFile, type UserRecord } from '../../core/broker/users-file';
import { devServiceFile, loadDevServiceCredential } from '../../core/broker/dev-service';
import { hashPin } from '../../core/ledger/pin';
import { silentLogger } from '../../core/log';
import type { Principal } from '../../core/broker/principal';

export const SETTLE_MS = 300;

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function writeUsers(file: string, users: Array<Principal & { password: string }>): Promise<void> {
  const records: UserRecord[] = [];
  for (const { password, ...rest } of users) records.push({ ...rest, passwordHash: await hashPin(password) } as UserRecord);
  await writeUsersFile(file, records);
}

/** DATA_DIR of the brokers these suites start: where their development service login lives. */
const DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'banco-broker-data-'));

export function brokerOptions(overrides: Partial<BrokerOptions> = {}): BrokerOptions {
  const base = loadBrokerConfig({ MQTT_PORT: '0', MQTT_WS_PORT: '0', DATA_DIR });
  return { ...base, ...overrides };
}

export function startBroker(overrides: Partial<BrokerOptions> = {}): Promise<EmbeddedBroker> {
  return startEmbeddedBroker(brokerOptions(overrides), silentLogger);
}

/** The development service login (anonymous clients may only read): for test publishers. */
export async function serviceLogin(): Promise<IClientOptions> {
  const { username, password } = await loadDevServiceCredential(devServiceFile(DATA_DIR));
  return { username, password };
}

/** Connects and resolves on CONNACK 0; rejects with the refusal (err.code = CONNACK return code). */
export function connect(url: string, options: IClientOptions = {}, onClient?: (client: MqttClient) => void): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options });
    onClient?.(client);
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => {
      client.end(true);
      reject(new Error('connection closed before CONNACK'));
    });
  });
}

/** The granted QoS of each filter (128 = refused, MQTT 3.1.1 §3.9.3). */
export async function subscribeGranted(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    return granted.map((g) => g.qos);
  } catch (err) {
    // mqtt.js rejects when any filter is refused; the SUBACK still says which.
    const suback = (err as { packet?: { granted?: Array<number | { qos: number }> } }).packet;
    if (suback?.granted === undefined) throw err;
    return suback.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

/** Connects with a collector attached before CONNACK: queued messages may arrive in the same read. */
export async function connectCollecting(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient; seen: Message[] }> {
  let seen: Message[] = [];
  const client = await connect(url, options, (c) => (seen = collect(c)));
  return { client, seen };
}

export type Message = { topic: string; payload: string; retain: boolean };

export function collect(client: MqttClient): Array<{ topic: string; payload: string; retain: boolean }> {
  const seen: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return seen;
}

export function publish(client: MqttClient, topic: string, payload: string, opts: IClientPublishOptions = { qos: 1 }): Promise<unknown> {
  return client.publishAsync(topic, payload, opts);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await sleep(20);
  }
}

export async function endAll(clients: MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(true)));
}
