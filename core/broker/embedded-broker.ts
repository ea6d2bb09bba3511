/**
 * The embedded MQTT broker (CONTRACT §1, §5): aedes 1.x on TCP, WebSocket and optionally TLS,
 * with the users file + injected authenticator for logins and acl.ts for every publish,
 * subscription and delivery. Start-up: open the session store, load users, create aedes,
 * bind the listeners; any failure undoes what was started and rethrows (a ConfigError when a
 * setting is to blame).
 */
import type { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:net';
import { Aedes } from 'aedes';
import { hashPin } from '../ledger/pin';
import type { Logger } from '../log';
import type { BrokerOptions } from './config';
import { createConnectionGate } from './connection-gate';
import { loadDevServiceCredential } from './dev-service';
import { createHooks } from './hooks';
import { boundPort, closeServer, startTcpListener, startTlsListener, startWsListener, type Handle } from './listeners';
import { createLogin } from './login';
import { guardPacketSize } from './packet-size-guard';
import { openLevelPersistence, type AedesPersistence, type OpenedPersistence } from './persistence';
import { boundSessionQueues } from './session-queue-bound';
import { readUsersFile, type UserRecord } from './users-file';

export interface EmbeddedBroker {
  tcpPort: number;
  wsPort: number | null;
  tlsPort: number | null;
  stop(): Promise<void>;
}

async function loadUsers(options: BrokerOptions): Promise<Map<string, UserRecord>> {
  const users = options.usersFile === null ? [] : await readUsersFile(options.usersFile);
  if (options.devServiceFile !== null && options.usersFile === null) {
    const dev = await loadDevServiceCredential(options.devServiceFile);
    users.push({ username: dev.username, passwordHash: await hashPin(dev.password), role: 'service' });
  }
  return new Map(users.map((u) => [u.username, u]));
}

async function createBroker(options: BrokerOptions, log: Logger, store: OpenedPersistence | null): Promise<Aedes> {
  const login = createLogin({
    users: await loadUsers(options),
    authenticate: options.authenticate,
    allowAnonymous: options.allowAnonymous,
    dummyHash: await hashPin(randomBytes(16).toString('hex')),
    concurrencyMax: options.limits.auth_concurrency_max,
    log,
  });
  const limits = options.limits;
  const broker = await Aedes.createBroker({
    ...createHooks(login, options.topicPrefix, log),
    persistence: store?.persistence,
    connectTimeout: limits.connect_timeout_ms,
    keepaliveLimit: limits.keepalive_seconds_max,
    queueLimit: limits.connect_queue_packets_max,
    maxInflightInbound: limits.inflight_inbound_max,
    maxClientsIdLength: limits.client_id_chars_max,
    maxTopicLevels: limits.topic_levels_max,
    drainTimeout: limits.drain_timeout_ms,
  });
  boundSessionQueues((broker as unknown as { persistence: AedesPersistence }).persistence, limits.session_queued_messages_max, log);
  (broker as unknown as EventEmitter).on('error', (err: Error) => log.error('mqtt_broker_error', { err }));
  broker.on('clientError', (client, err) => log.debug('mqtt_client_error', { client: client.id, err }));
  broker.on('connectionError', (client, err) => log.debug('mqtt_connection_error', { client: client.id, err }));
  return broker;
}

function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}

export async function startEmbeddedBroker(options: BrokerOptions, log: Logger): Promise<EmbeddedBroker> {
  const store = options.persistenceDir === null ? null : await openLevelPersistence(options.persistenceDir);
  if (store !== null) log.warn('mqtt_persistence_unsafe', { dir: options.persistenceDir, reason: 'aedes-persistence-level drops some concurrent QoS 1 publishes to persistent sessions; see docs/event-bus.md' });
  const servers: Server[] = [];
  let broker: Aedes | null = null;
  const stop = async (): Promise<void> => {
    const closing = servers.map((s) => closeServer(s, options.limits.stop_grace_ms));
    if (broker !== null) await closeBroker(broker);
    await Promise.all(closing);
    await store?.close();
  };
  try {
    const aedes = (broker = await createBroker(options, log, store));
    const gate = createConnectionGate(options.limits.connections_max, log);
    const packetMax = options.limits.packet_bytes_max;
    const handle: Handle = (conn, req) => {
      aedes.handle(guardPacketSize(conn, packetMax, (err) => log.warn('mqtt_packet_refused', { reason: err.message })), req);
    };
    const tcp = await startTcpListener(handle, options.host, options.tcpPort, gate);
    servers.push(tcp);
    const ws = options.wsPort === null ? null : await startWsListener(handle, options.host, options.wsPort, gate, packetMax);
    if (ws !== null) servers.push(ws);
    const tls = options.tls === null ? null : await startTlsListener(handle, options.host, options.tls, gate);
    if (tls !== null) servers.push(tls);
    const ports = { tcpPort: boundPort(tcp), wsPort: ws && boundPort(ws), tlsPort: tls && boundPort(tls) };
    log.info('mqtt_broker_started', { host: options.host, ...ports, persistence: options.persistenceDir !== null, anonymous: options.allowAnonymous, devService: options.devServiceFile !== null && options.usersFile === null });
    return { ...ports, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
