/**
 * Embedded broker settings (CONTRACT §1, §5), read once from the environment, validated, frozen.
 * A bad value is a ConfigError whose message is the one line start-up prints.
 * docs/event-bus.md lists every setting.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isLoopback, parseInsecureDev, parseBoolean, parseInteger, parsePort, type Env } from '../config';
import { devServiceFile } from './dev-service';
import { ConfigError } from '../errors';
import { BROKER_LIMITS, type BrokerLimits } from './limits';
import type { Authenticator } from './principal';
import type { CorePinCheckTarget } from './core-pin-check';

export interface BrokerTlsOptions {
  port: number;
  certFile: string;
  keyFile: string;
  /** Extra CA chain served with the certificate; null when the certificate file carries it. */
  caFile: string | null;
}

export interface BrokerOptions {
  host: string;
  tcpPort: number;
  /** null: no MQTT-over-WebSocket listener (MQTT_WS_PORT=off). */
  wsPort: number | null;
  tls: BrokerTlsOptions | null;
  topicPrefix: string;
  /** Anonymous clients connect as readers (principal.ts); never publishers. */
  allowAnonymous: boolean;
  usersFile: string | null;
  /**
   * The development service credential file (dev-service.ts), accepted as a `service` login;
   * null in production and whenever a users file is configured.
   */
  devServiceFile: string | null;
  /** Directory of the on-disk session store; null keeps sessions in memory only. */
  persistenceDir: string | null;
  limits: Readonly<BrokerLimits>;
  /** Extra login source tried for usernames not in the users file (customer cédula + PIN). */
  authenticate?: Authenticator;
  /**
   * Where a broker running without the ledger in its process asks for customer PIN checks
   * (BANCO_BROKER_CORE_ADDRESS, the core's token); null: no customer logins (BANCO_BROKER_CUSTOMER_LOGIN=off).
   */
  corePinCheck: CorePinCheckTarget | null;
}

export const DEFAULT_TLS_PORT = 8883;
/** Topic levels of plain letters, digits, '_' and '-': no wildcards, no '$', no empty level. */
const PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

function existingFile(env: Env, name: string): string | null {
  const file = env[name];
  if (file === undefined || file === '') return null;
  if (!existsSync(file)) throw new ConfigError(`${name}=${file}: no such file.`);
  return path.resolve(file);
}

function parseTls(env: Env): BrokerTlsOptions | null {
  const certFile = existingFile(env, 'BANCO_MQTT_TLS_CERT');
  const keyFile = existingFile(env, 'BANCO_MQTT_TLS_KEY');
  const caFile = existingFile(env, 'BANCO_MQTT_TLS_CA');
  const portSet = env.BANCO_MQTT_TLS_PORT !== undefined && env.BANCO_MQTT_TLS_PORT !== '';
  if (!portSet && certFile === null && keyFile === null) return null;
  if (certFile === null || keyFile === null) throw new ConfigError('The MQTT TLS listener needs both BANCO_MQTT_TLS_CERT and BANCO_MQTT_TLS_KEY (PEM files).');
  return Object.freeze({ port: parsePort(env, 'BANCO_MQTT_TLS_PORT', DEFAULT_TLS_PORT), certFile, keyFile, caFile });
}

function parseWsPort(env: Env): number | null {
  return env.MQTT_WS_PORT?.toLowerCase() === 'off' ? null : parsePort(env, 'MQTT_WS_PORT', 9001);
}

export function loadBrokerConfig(env: Env): BrokerOptions {
  const production = env.NODE_ENV === 'production';
  const host = env.HOST || '127.0.0.1';
  const topicPrefix = env.BANCO_TOPIC_PREFIX || 'banco';
  if (!PREFIX.test(topicPrefix)) throw new ConfigError(`BANCO_TOPIC_PREFIX=${topicPrefix} must be topic levels of letters, digits, '_' or '-' (e.g. banco), without wildcards.`);
  // Anonymous (read-only) access is a loopback development convenience; beyond loopback it is
  // off unless asked for (or BANCO_INSECURE_DEV=on); hub/security.ts refuses it there without
  // the opt-out (CONTRACT §1).
  const allowAnonymous = parseBoolean(env, 'BANCO_MQTT_ALLOW_ANONYMOUS', !production && (isLoopback(host) || parseInsecureDev(env)));
  if (production && allowAnonymous) throw new ConfigError('BANCO_MQTT_ALLOW_ANONYMOUS=on is refused with NODE_ENV=production; create users with "banco broker-user add".');
  const usersFile = env.BANCO_MQTT_USERS_FILE ? path.resolve(env.BANCO_MQTT_USERS_FILE) : null;
  if (production && usersFile === null) throw new ConfigError('NODE_ENV=production requires BANCO_MQTT_USERS_FILE (MQTT users and password hashes; see docs/event-bus.md).');
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const limits: BrokerLimits = { ...BROKER_LIMITS };
  limits.connections_max = parseInteger(env, 'BANCO_MQTT_CONNECTIONS_MAX', BROKER_LIMITS.connections_max, 1, 100_000);
  limits.packet_bytes_max = parseInteger(env, 'BANCO_MQTT_PACKET_BYTES_MAX', BROKER_LIMITS.packet_bytes_max, 1024, 256 * 1024 * 1024);
  limits.session_queued_messages_max = parseInteger(env, 'BANCO_MQTT_SESSION_QUEUE_MAX', BROKER_LIMITS.session_queued_messages_max, 1, 10_000_000);
  return Object.freeze({
    host,
    tcpPort: parsePort(env, 'MQTT_PORT', 1883),
    wsPort: parseWsPort(env),
    tls: parseTls(env),
    topicPrefix,
    allowAnonymous,
    usersFile,
    devServiceFile: production || usersFile !== null ? null : devServiceFile(dataDir),
    // Off by default: with aedes 1.2 + aedes-persistence-level 9.2, concurrent QoS 1 publishes
    // matching a persistent session are acknowledged but some are never delivered to anyone
    // (reproduced: 568 of 600). See docs/event-bus.md "Known problem".
    persistenceDir: parseBoolean(env, 'BANCO_MQTT_PERSISTENCE', false) ? path.join(dataDir, 'mqtt') : null,
    limits: Object.freeze(limits),
    corePinCheck: parseCorePinCheck(env, host, limits),
  });
}

/**
 * The core the broker asks about customer PINs: BANCO_BROKER_CORE_ADDRESS (host:port), by default
 * this machine's core on CORE_PORT — the address `npm start` gives it.
 */
function parseCorePinCheck(env: Env, host: string, limits: BrokerLimits): CorePinCheckTarget | null {
  if (!parseBoolean(env, 'BANCO_BROKER_CUSTOMER_LOGIN', true)) return null;
  const local = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  const address = env.BANCO_BROKER_CORE_ADDRESS || `${local.includes(':') ? `[${local}]` : local}:${parsePort(env, 'CORE_PORT', 5000)}`;
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ConfigError(`BANCO_BROKER_CORE_ADDRESS=${address} must be host:port of the core (e.g. 127.0.0.1:5000).`);
  return Object.freeze({ host: m[1], port, token: env.BANCO_CORE_TOKEN || null, timeoutMs: limits.core_pin_check_timeout_ms, concurrencyMax: limits.core_pin_checks_max });
}
