/**
 * Settings come from the environment once, are validated here, and are frozen. Names fixed by
 * CONTRACT §1 keep their names; the rest are prefixed BANCO_. README "Settings" lists them all.
 */
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors';
import { LIMITS, type Limits } from './limits';
import { parseAmount } from './ledger/money';
import { deriveInstanceId, INSTANCE_ID_CHARS_MAX, INSTANCE_ID_PATTERN } from './outbox/instance-id';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };

export interface EventBusConfig {
  /** The broker the relay publishes to: MQTT_URL, or the embedded broker on MQTT_PORT. */
  url: string;
  username: string | null;
  password: string | null;
  topicPrefix: string;
  /** Periodic retained `<prefix>/estadisticas`; 0 turns it off. */
  statsIntervalMs: number;
  /** Sent outbox rows are kept this long, then deleted. */
  outboxRetentionMs: number;
  /** Poll for rows committed by other processes this often. */
  relayPollMs: number;
  /** Rows per relay round. */
  relayBatchMax: number;
  /** A relay's claim on rows; a backstop only, since a new relay leader clears every claim at once. */
  relayLeaseMs: number;
  /** This core instance in the database (claim owner, leader lease holder): BANCO_INSTANCE_ID or derived. */
  instanceId: string;
  /** One core process relays at a time; its lease lasts this long unless renewed. */
  relayLeaderLeaseMs: number;
  /** The leader renews its lease, and stand-bys try to take it, this often. */
  relayHeartbeatMs: number;
}

export interface CoreConfig {
  production: boolean;
  host: string;
  corePort: number;
  dataDir: string;
  database: DatabaseConfig;
  /** Legacy text protocol (no authentication, CONTRACT §3). */
  legacyText: boolean;
  /** Legacy text only: amounts with more than two decimals are rounded half-up to cents (off: refused). */
  legacyRoundAmounts: boolean;
  /** When set, JSON connections must `auth` with it first. */
  coreToken: string | null;
  seedDemo: boolean;
  /** MySQL pool size and batches committing at once. */
  dbConnectionsMax: number;
  batchConcurrency: number;
  limits: Limits;
  /** Idempotency keys are kept this long; a replay after it runs as a new request. */
  idempotencyRetentionMs: number;
  /**
   * Fault injection for tests (BANCO_FAULTS, comma-separated): `crash-after-commit` SIGKILLs the
   * process right after a commit, before the relay could publish; `crash-after-publish` right
   * after the broker acknowledged a round, before it is marked sent. Empty in normal operation.
   */
  faults: ReadonlySet<Fault>;
  /** null when BANCO_RELAY=off: movements still enter the outbox, nothing publishes them here. */
  eventBus: EventBusConfig | null;
  /** This core process among others on one database: BANCO_INSTANCE_ID or derived (labels its metrics). */
  instanceId: string;
}

export const FAULTS = ['crash-after-commit', 'crash-after-publish'] as const;
export type Fault = (typeof FAULTS)[number];

function parseFaults(env: Env): ReadonlySet<Fault> {
  const names = (env.BANCO_FAULTS ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const name of names) if (!(FAULTS as readonly string[]).includes(name)) throw new ConfigError(`BANCO_FAULTS: unknown fault "${name}"; known: ${FAULTS.join(', ')}.`);
  return new Set(names as Fault[]);
}

export type Env = Record<string, string | undefined>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

/** True for addresses only this machine can reach; 0.0.0.0, :: and every other name are beyond. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * BANCO_INSECURE_DEV=on: the one explicit opt-out from "a listener bound beyond loopback never
 * serves without authentication" (CONTRACT §1). Refused in production; hub/security.ts logs it.
 */
export function parseInsecureDev(env: Env): boolean {
  const on = parseBoolean(env, 'BANCO_INSECURE_DEV', false);
  if (on && env.NODE_ENV === 'production') throw new ConfigError('BANCO_INSECURE_DEV=on is refused with NODE_ENV=production; configure the credentials instead (docs/security.md).');
  return on;
}

export function parsePort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) throw new ConfigError(`${name}=${raw} is not a TCP port (0–65535).`);
  return port;
}

export function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw new ConfigError(`${name}=${raw} must be a whole number from ${min} to ${max}.`);
  return value;
}

export function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}=${env[name]} must be on or off.`);
}

function parseMoney(env: Env, name: string, fallbackCents: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackCents;
  const parsed = parseAmount(raw, LIMITS.balance_cents_max);
  if (!parsed.ok) throw new ConfigError(`${name}=${raw} must be a positive amount with at most two decimals, e.g. 1000000.00.`);
  return parsed.cents;
}

export function parseDatabase(env: Env, dataDir: string): DatabaseConfig {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') return { kind: 'sqlite', file: path.join(dataDir, 'banco.db') };
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === '') throw new ConfigError('DATABASE_URL=sqlite: needs a file path, e.g. sqlite:./data/banco.db.');
    return { kind: 'sqlite', file };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid URL; expected mysql://user:pass@host:port/db.');
    }
    return { kind: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or mysql:// (e.g. mysql://user:pass@127.0.0.1:3306/banco).');
}

const TOPIC_PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** The default instance id: stable across restarts of one instance (same host, port, data dir, database). */
function instanceIdOf(env: Env): string {
  const explicit = env.BANCO_INSTANCE_ID;
  if (explicit !== undefined && explicit !== '') {
    if (!INSTANCE_ID_PATTERN.test(explicit)) throw new ConfigError(`BANCO_INSTANCE_ID=${explicit} must be 1–${INSTANCE_ID_CHARS_MAX} letters, digits, '.', '_' or '-'.`);
    return explicit;
  }
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const database = parseDatabase(env, dataDir);
  const where = database.kind === 'sqlite' ? path.resolve(database.file) : withoutCredentials(database.url);
  return deriveInstanceId({ hostname: os.hostname(), corePort: env.CORE_PORT || '5000', dataDir, database: where });
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}${u.pathname}`;
}

/** Leader lease bounds: a lease must outlive at least two heartbeats, so one late renewal is not a take-over. */
function parseLeaderTiming(env: Env): { relayLeaderLeaseMs: number; relayHeartbeatMs: number } {
  const relayLeaderLeaseMs = parseInteger(env, 'BANCO_RELAY_LEADER_LEASE_MS', 5000, 1000, 600_000);
  const relayHeartbeatMs = parseInteger(env, 'BANCO_RELAY_HEARTBEAT_MS', 1000, 100, 300_000);
  if (relayHeartbeatMs * 2 > relayLeaderLeaseMs) throw new ConfigError(`BANCO_RELAY_HEARTBEAT_MS=${relayHeartbeatMs} must be at most half of BANCO_RELAY_LEADER_LEASE_MS=${relayLeaderLeaseMs}.`);
  return { relayLeaderLeaseMs, relayHeartbeatMs };
}

export function loadEventBusConfig(env: Env): EventBusConfig {
  const host = env.HOST && !['0.0.0.0', '::'].includes(env.HOST) ? env.HOST : '127.0.0.1';
  const url = env.MQTT_URL || `mqtt://${host.includes(':') ? `[${host}]` : host}:${parsePort(env, 'MQTT_PORT', 1883)}`;
  if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) throw new ConfigError(`MQTT_URL=${url} must start with mqtt://, mqtts://, ws:// or wss://.`);
  const topicPrefix = env.BANCO_TOPIC_PREFIX || 'banco';
  if (!TOPIC_PREFIX.test(topicPrefix)) throw new ConfigError(`BANCO_TOPIC_PREFIX=${topicPrefix} must be topic levels of letters, digits, _ or - (no wildcards).`);
  return Object.freeze({
    url,
    username: env.BANCO_MQTT_USERNAME || null,
    password: env.BANCO_MQTT_PASSWORD || null,
    topicPrefix,
    statsIntervalMs: parseInteger(env, 'BANCO_STATS_INTERVAL_MS', 60_000, 0, 24 * 3600 * 1000),
    outboxRetentionMs: parseInteger(env, 'BANCO_OUTBOX_RETENTION_MS', 24 * 3600 * 1000, 0, 365 * 24 * 3600 * 1000),
    relayPollMs: parseInteger(env, 'BANCO_RELAY_POLL_MS', 500, 10, 60_000),
    relayBatchMax: parseInteger(env, 'BANCO_RELAY_BATCH_MAX', 500, 1, 5000),
    relayLeaseMs: parseInteger(env, 'BANCO_RELAY_LEASE_MS', 30_000, 1000, 3600 * 1000),
    instanceId: instanceIdOf(env),
    ...parseLeaderTiming(env),
  });
}

export function loadCoreConfig(env: Env = process.env): CoreConfig {
  const production = env.NODE_ENV === 'production';
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const database = parseDatabase(env, dataDir);
  const coreToken = env.BANCO_CORE_TOKEN || null;
  if (production && coreToken === null) throw new ConfigError('NODE_ENV=production requires BANCO_CORE_TOKEN (the token JSON clients send with "auth").');
  if (coreToken !== null && coreToken.length < 16) throw new ConfigError('BANCO_CORE_TOKEN must be at least 16 characters.');
  // The legacy protocol has no authentication: on by default only for a loopback-bound dev core.
  const legacyText = parseBoolean(env, 'BANCO_LEGACY_TEXT', !production && isLoopback(host));

  const limits: Limits = { ...LIMITS };
  limits.amount_cents_max = parseMoney(env, 'BANCO_MONTO_MAXIMO', LIMITS.amount_cents_max);
  limits.low_balance_cents = parseMoney(env, 'BANCO_UMBRAL_SALDO_BAJO', LIMITS.low_balance_cents);
  limits.connections_max = parseInteger(env, 'BANCO_CONNECTIONS_MAX', LIMITS.connections_max, 1, 100_000);
  limits.connections_per_ip_max = parseInteger(env, 'BANCO_CONNECTIONS_PER_IP_MAX', LIMITS.connections_per_ip_max, 1, 100_000);
  limits.idle_timeout_ms = parseInteger(env, 'BANCO_IDLE_TIMEOUT_MS', LIMITS.idle_timeout_ms, 1000, 24 * 3600 * 1000);
  limits.requests_per_second_max = parseInteger(env, 'BANCO_REQUESTS_PER_SECOND_MAX', LIMITS.requests_per_second_max, 1, 1_000_000);
  // The burst defaults to one second's worth of the rate; it is never below the rate.
  limits.requests_burst_max = Math.max(limits.requests_per_second_max, parseInteger(env, 'BANCO_REQUESTS_BURST_MAX', limits.requests_per_second_max, 1, 1_000_000));
  limits.batch_operations_max = parseInteger(env, 'BANCO_BATCH_MAX', LIMITS.batch_operations_max, 1, 1000);
  limits.legacy_incomplete_wait_ms = parseInteger(env, 'BANCO_LEGACY_INCOMPLETE_WAIT_MS', LIMITS.legacy_incomplete_wait_ms, 0, 60_000);

  const mysql = database.kind === 'mysql';
  return Object.freeze({
    production,
    host,
    corePort: parsePort(env, 'CORE_PORT', 5000),
    dataDir,
    database,
    legacyText,
    legacyRoundAmounts: parseBoolean(env, 'BANCO_LEGACY_ROUND_AMOUNTS', false),
    coreToken,
    seedDemo: parseBoolean(env, 'BANCO_DEMO_DATA', !production) && !production,
    dbConnectionsMax: parseInteger(env, 'BANCO_DB_CONNECTIONS_MAX', 8, 1, 256),
    batchConcurrency: parseInteger(env, 'BANCO_BATCH_CONCURRENCY', mysql ? 2 : 1, 1, 64),
    limits: Object.freeze(limits),
    idempotencyRetentionMs: parseInteger(env, 'BANCO_IDEMPOTENCY_RETENTION_MS', 7 * 24 * 3600 * 1000, 60_000, 10 * 365 * 24 * 3600 * 1000),
    faults: parseFaults(env),
    eventBus: parseBoolean(env, 'BANCO_RELAY', true) ? loadEventBusConfig(env) : null,
    instanceId: instanceIdOf(env),
  });
}
