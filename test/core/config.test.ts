/** Settings are validated once: safe defaults in dev, secrets required in production, one clear line per mistake. */
import path from 'node:path';
import { loadCoreConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { loadNodeRedConfig } from '../../hub/config';

const TOKEN = 'a-service-token-of-24chr';
const BCRYPT = '$2b$08$abcdefghijklmnopqrstuu5lqB8VgJxvX2m3zGq6W1kQ6vYt2Wc1a';

describe('core settings', () => {
  it('defaults to the contract ports, SQLite under DATA_DIR, legacy text on a loopback dev core', () => {
    const c = loadCoreConfig({ DATA_DIR: '/var/banco' });
    expect(c).toMatchObject({ host: '127.0.0.1', corePort: 5000, production: false, legacyText: true, coreToken: null, seedDemo: true });
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join('/var/banco', 'banco.db') });
    expect(c.eventBus).toMatchObject({ url: 'mqtt://127.0.0.1:1883', topicPrefix: 'banco' });
  });

  it('keeps the unauthenticated legacy protocol off when bound beyond loopback, unless asked for', () => {
    expect(loadCoreConfig({ HOST: '0.0.0.0' }).legacyText).toBe(false);
    expect(loadCoreConfig({ HOST: '0.0.0.0', BANCO_LEGACY_TEXT: 'on' }).legacyText).toBe(true);
    expect(loadCoreConfig({ HOST: '0.0.0.0' }).eventBus?.url).toBe('mqtt://127.0.0.1:1883');
  });

  it('in production requires a service token, never seeds demo data and keeps legacy text off', () => {
    expect(() => loadCoreConfig({ NODE_ENV: 'production' })).toThrow(/requires BANCO_CORE_TOKEN/);
    const c = loadCoreConfig({ NODE_ENV: 'production', BANCO_CORE_TOKEN: TOKEN, BANCO_DEMO_DATA: 'on' });
    expect(c).toMatchObject({ production: true, seedDemo: false, legacyText: false, coreToken: TOKEN });
    expect(() => loadCoreConfig({ BANCO_CORE_TOKEN: 'short' })).toThrow(/at least 16 characters/);
  });

  it('takes MySQL from DATABASE_URL and refuses other schemes', () => {
    expect(loadCoreConfig({ DATABASE_URL: 'mysql://u:p@db:3306/banco' }).database).toEqual({ kind: 'mysql', url: 'mysql://u:p@db:3306/banco' });
    expect(loadCoreConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({ kind: 'sqlite', file: '/tmp/x.db' });
    expect(() => loadCoreConfig({ DATABASE_URL: 'postgres://x' })).toThrow(ConfigError);
  });

  it.each([
    ['CORE_PORT', '70000', /not a TCP port/],
    ['BANCO_MONTO_MAXIMO', '1e6', /positive amount/],
    ['BANCO_LEGACY_TEXT', 'maybe', /must be on or off/],
    ['BANCO_BATCH_MAX', '0', /whole number from 1 to 1000/],
    ['BANCO_TOPIC_PREFIX', 'banco/#', /no wildcards/],
    ['MQTT_URL', 'http://broker', /must start with mqtt/],
    ['BANCO_FAULTS', 'crash-sometimes', /unknown fault/],
  ])('refuses %s=%s with a clear message', (name, value, message) => {
    expect(() => loadCoreConfig({ [name]: value })).toThrow(message);
  });

  it('turns BANCO_RELAY=off into no event bus and bounds the rate burst by the rate', () => {
    expect(loadCoreConfig({ BANCO_RELAY: 'off' }).eventBus).toBeNull();
    const c = loadCoreConfig({ BANCO_REQUESTS_PER_SECOND_MAX: '50' });
    expect([c.limits.requests_per_second_max, c.limits.requests_burst_max]).toEqual([50, 50]);
  });
});

describe('Node-RED settings', () => {
  it('opens the editor without login in dev and keeps the user directory under DATA_DIR', () => {
    expect(loadNodeRedConfig({ DATA_DIR: '/var/banco' })).toMatchObject({ port: 1880, adminAuth: null, userDir: path.join('/var/banco', 'node-red') });
  });

  it('in production requires a credential secret and an editor login with a bcrypt hash', () => {
    expect(() => loadNodeRedConfig({ NODE_ENV: 'production' })).toThrow(/BANCO_NODE_RED_SECRET/);
    expect(() => loadNodeRedConfig({ NODE_ENV: 'production', BANCO_NODE_RED_SECRET: 's3cret' })).toThrow(/editor login/);
    expect(() => loadNodeRedConfig({ BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: 'plain' })).toThrow(/bcrypt/);
    const c = loadNodeRedConfig({ NODE_ENV: 'production', BANCO_NODE_RED_SECRET: 's3cret', BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: BCRYPT });
    expect(c.adminAuth).toEqual({ type: 'credentials', users: [{ username: 'ops', password: BCRYPT, permissions: '*' }] });
  });
});
