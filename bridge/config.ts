/**
 * The bridge's settings (README "Settings"), read once from the environment, validated, frozen.
 * HOST, BRIDGE_PORT, CORE_PORT and the MQTT names are fixed by CONTRACT §1; the rest are BANCO_BRIDGE_*.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isLoopback, loadEventBusConfig, parseBoolean, parseInteger, parsePort, type Env, type EventBusConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import { BRIDGE_LIMITS } from './limits';

export interface BridgeConfig {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  core: { host: string; port: number; token: string | null; connections: number; timeoutMs: number };
  /** null: derived from (or created in) DATA_DIR, dev only (session/secret.ts). */
  sessionSecret: string | null;
  sessionTtlMs: number;
  sessionIdleMs: number;
  /** PEM cert + key: the bridge serves HTTPS and its cookies are Secure. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** Behind a load balancer: take the client address and scheme from X-Forwarded-* (express "trust proxy"). */
  trustProxy: boolean;
  /** Rate limits, per bridge process (limits.ts has the bursts and why). */
  rates: { ipRequestsPerSecond: number; ipLoginsPerMinute: number; sessionRequestsPerSecond: number };
  /** The old front end's unauthenticated API (CONTRACT §7), off by default. */
  compat: { origins: string[] } | null;
  eventBus: EventBusConfig;
}

/** The session secret signs every cookie; shorter is guessable. */
export const SESSION_SECRET_CHARS_MIN = 32;

function readPem(env: Env, name: string): Buffer {
  const file = env[name] ?? '';
  try {
    return fs.readFileSync(path.resolve(file));
  } catch {
    throw new ConfigError(`${name}=${file} cannot be read; give the path of a PEM file.`);
  }
}

function loadTls(env: Env): BridgeConfig['tls'] {
  const cert = env.BANCO_BRIDGE_TLS_CERT || '';
  const key = env.BANCO_BRIDGE_TLS_KEY || '';
  if (cert === '' && key === '') return null;
  if (cert === '' || key === '') throw new ConfigError('set both BANCO_BRIDGE_TLS_CERT and BANCO_BRIDGE_TLS_KEY (PEM files), or neither.');
  return { cert: readPem(env, 'BANCO_BRIDGE_TLS_CERT'), key: readPem(env, 'BANCO_BRIDGE_TLS_KEY') };
}

/**
 * The compatibility API has no authentication (the old bridge had none): off by default, and
 * beyond loopback only with BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK=on, which hub/security.ts warns about.
 */
function loadCompat(env: Env, host: string): BridgeConfig['compat'] {
  if (!parseBoolean(env, 'BANCO_BRIDGE_COMPAT', false)) return null;
  if (!isLoopback(host) && !parseBoolean(env, 'BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK', false)) {
    throw new ConfigError(`BANCO_BRIDGE_COMPAT=on serves an unauthenticated API that moves money; it is refused on HOST=${host} (beyond loopback) unless BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK=on says so explicitly (docs/bridge.md).`);
  }
  const origins = (env.BANCO_BRIDGE_COMPAT_ORIGINS ?? 'http://localhost:3000,http://127.0.0.1:3000').split(',').map((o) => o.trim()).filter((o) => o !== '');
  return { origins };
}

export function loadBridgeConfig(env: Env): BridgeConfig {
  const production = env.NODE_ENV === 'production';
  const host = env.HOST || '127.0.0.1';
  const secret = env.BANCO_BRIDGE_SESSION_SECRET || null;
  if (secret !== null && secret.length < SESSION_SECRET_CHARS_MIN) throw new ConfigError(`BANCO_BRIDGE_SESSION_SECRET must be at least ${SESSION_SECRET_CHARS_MIN} characters.`);
  if (production && secret === null) throw new ConfigError('NODE_ENV=production requires BANCO_BRIDGE_SESSION_SECRET (signs the customers\' session cookies; every bridge instance needs the same one).');
  const token = env.BANCO_CORE_TOKEN || null;
  if (production && token === null) throw new ConfigError('NODE_ENV=production requires BANCO_CORE_TOKEN (the bridge authenticates to the core with it).');
  const ttl = parseInteger(env, 'BANCO_BRIDGE_SESSION_TTL_MS', BRIDGE_LIMITS.session_ttl_ms, 60_000, 7 * 24 * 3600 * 1000);
  const idle = parseInteger(env, 'BANCO_BRIDGE_SESSION_IDLE_MS', BRIDGE_LIMITS.session_idle_ms, 10_000, ttl);
  return Object.freeze({
    production,
    host,
    port: parsePort(env, 'BRIDGE_PORT', 5001),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    core: {
      host: env.BANCO_BRIDGE_CORE_HOST || '127.0.0.1',
      port: parsePort(env, 'CORE_PORT', 5000),
      token,
      connections: parseInteger(env, 'BANCO_BRIDGE_CORE_CONNECTIONS', BRIDGE_LIMITS.core_connections, 1, 64),
      timeoutMs: parseInteger(env, 'BANCO_BRIDGE_CORE_TIMEOUT_MS', BRIDGE_LIMITS.core_request_timeout_ms, 100, 120_000),
    },
    sessionSecret: secret,
    sessionTtlMs: ttl,
    sessionIdleMs: idle,
    tls: loadTls(env),
    trustProxy: parseBoolean(env, 'BANCO_BRIDGE_TRUST_PROXY', false),
    rates: {
      ipRequestsPerSecond: parseInteger(env, 'BANCO_BRIDGE_IP_REQUESTS_PER_SECOND', BRIDGE_LIMITS.ip_requests_per_second_max, 1, 1_000_000),
      ipLoginsPerMinute: parseInteger(env, 'BANCO_BRIDGE_IP_LOGINS_PER_MINUTE', BRIDGE_LIMITS.ip_logins_per_minute_max, 1, 1_000_000),
      sessionRequestsPerSecond: parseInteger(env, 'BANCO_BRIDGE_SESSION_REQUESTS_PER_SECOND', BRIDGE_LIMITS.session_requests_per_second_max, 1, 1_000_000),
    },
    compat: loadCompat(env, host),
    eventBus: loadEventBusConfig(env),
  });
}
