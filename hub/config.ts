/** Settings of the hub's own parts (embedded Node-RED); see README "Settings". */
import os from 'node:os';
import path from 'node:path';
import { deriveInstanceId } from '../core/outbox/instance-id';
import { parsePort, type Env } from '../core/config';
import { ConfigError } from '../core/errors';

export interface NodeRedConfig {
  host: string;
  port: number;
  userDir: string;
  credentialSecret: string;
  /** Node-RED `adminAuth`; null = editor open (dev only). */
  adminAuth: { type: 'credentials'; users: Array<{ username: string; password: string; permissions: '*' }> } | null;
  production: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /**
   * The default flows' MQTT client id (`${BANCO_FLOWS_CLIENT_ID}` in flows/hub.json): fixed per
   * instance, so its persistent session survives restarts, and unique per instance, so two
   * Node-REDs never kick each other off the broker. BANCO_FLOWS_CLIENT_ID, else derived from the
   * host name, DATA_DIR and NODE_RED_PORT.
   */
  flowsClientId: string;
}

/** Only for dev mode, where the flows hold no real secret; production must set its own. */
const DEV_CREDENTIAL_SECRET = 'banco-hub-dev-only-credential-secret';

export function loadNodeRedConfig(env: Env): NodeRedConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const secret = env.BANCO_NODE_RED_SECRET || (production ? '' : DEV_CREDENTIAL_SECRET);
  if (secret === '') throw new ConfigError('NODE_ENV=production requires BANCO_NODE_RED_SECRET (encrypts the flows\' credentials).');
  const user = env.BANCO_NODE_RED_ADMIN_USER || null;
  const hash = env.BANCO_NODE_RED_ADMIN_PASSWORD_HASH || null;
  if ((user === null) !== (hash === null)) throw new ConfigError('set both BANCO_NODE_RED_ADMIN_USER and BANCO_NODE_RED_ADMIN_PASSWORD_HASH (a bcrypt hash: npx node-red admin hash-pw).');
  if (production && user === null) throw new ConfigError('NODE_ENV=production requires an editor login: BANCO_NODE_RED_ADMIN_USER and BANCO_NODE_RED_ADMIN_PASSWORD_HASH.');
  if (hash !== null && !/^\$2[aby]\$\d\d\$/.test(hash)) throw new ConfigError('BANCO_NODE_RED_ADMIN_PASSWORD_HASH must be a bcrypt hash ($2b$…); make one with: npx node-red admin hash-pw');
  const level = env.BANCO_NODE_RED_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)) throw new ConfigError(`BANCO_NODE_RED_LOG_LEVEL=${level} must be one of fatal, error, warn, info, debug, trace.`);
  return Object.freeze({
    host: env.HOST || '127.0.0.1',
    port: parsePort(env, 'NODE_RED_PORT', 1880),
    userDir: path.join(dataDir, 'node-red'),
    credentialSecret: secret,
    adminAuth: user && hash ? { type: 'credentials' as const, users: [{ username: user, password: hash, permissions: '*' as const }] } : null,
    production,
    logLevel: level as NodeRedConfig['logLevel'],
    flowsClientId: flowsClientIdOf(env, dataDir),
  });
}

/** 64 characters at most, leaving room for the integration tabs' `-<tab>` suffixes (node-red.ts). */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,56}$/;

function flowsClientIdOf(env: Env, dataDir: string): string {
  const explicit = env.BANCO_FLOWS_CLIENT_ID;
  if (explicit) {
    if (!CLIENT_ID_PATTERN.test(explicit)) throw new ConfigError(`BANCO_FLOWS_CLIENT_ID=${explicit} must be 1–56 letters, digits, '.', '_' or '-'.`);
    return explicit;
  }
  return `banco-flows-${deriveInstanceId({ hostname: os.hostname(), corePort: env.NODE_RED_PORT || '1880', dataDir, database: 'node-red' })}`;
}
