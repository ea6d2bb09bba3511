/**
 * Settings come from the environment once, are validated here, and are frozen. Names fixed by
 * CONTRACT §1 keep their names; the rest are prefixed BANCO_. README "Settings" lists them all.
 */
import path from 'node:path';
import { ConfigError } from './errors';
import { LIMITS, type Limits } from './limits';
import { parseAmount } from './ledger/money';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };

export interface CoreConfig {
  production: boolean;
  host: string;
  corePort: number;
  dataDir: string;
  database: DatabaseConfig;
  /** Legacy text protocol (no authentication, CONTRACT §3). */
  legacyText: boolean;
  /** When set, JSON connections must `auth` with it first. */
  coreToken: string | null;
  seedDemo: boolean;
  /** MySQL pool size and batches committing at once. */
  dbConnectionsMax: number;
  batchConcurrency: number;
  limits: Limits;
}

export type Env = Record<string, string | undefined>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export function parsePort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) throw new ConfigError(`${name}=${raw} is not a TCP port (0–65535).`);
  return port;
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw new ConfigError(`${name}=${raw} must be a whole number from ${min} to ${max}.`);
  return value;
}

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
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
  limits.requests_burst_max = Math.max(limits.requests_per_second_max, parseInteger(env, 'BANCO_REQUESTS_BURST_MAX', LIMITS.requests_burst_max, 1, 1_000_000));
  limits.batch_operations_max = parseInteger(env, 'BANCO_BATCH_MAX', LIMITS.batch_operations_max, 1, 1000);

  const mysql = database.kind === 'mysql';
  return Object.freeze({
    production,
    host,
    corePort: parsePort(env, 'CORE_PORT', 5000),
    dataDir,
    database,
    legacyText,
    coreToken,
    seedDemo: parseBoolean(env, 'BANCO_DEMO_DATA', !production) && !production,
    dbConnectionsMax: parseInteger(env, 'BANCO_DB_CONNECTIONS_MAX', 8, 1, 256),
    batchConcurrency: parseInteger(env, 'BANCO_BATCH_CONCURRENCY', mysql ? 2 : 1, 1, 64),
    limits: Object.freeze(limits),
  });
}
