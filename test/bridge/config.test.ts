/**
 * The bridge's settings: compatibility mode is off by default and refused beyond loopback unless
 * asked for explicitly (then warned about); production needs the session secret and core token.
 */
import { loadBridgeConfig } from '../../bridge/config';
import { securityWarnings } from '../../hub/security';

const base = { DATA_DIR: '/tmp/banco-bridge-config' };

it('serves no compatibility API unless asked', () => {
  expect(loadBridgeConfig(base).compat).toBeNull();
  expect(loadBridgeConfig({ ...base, BANCO_BRIDGE_COMPAT: 'on' }).compat).toEqual({ origins: ['http://localhost:3000', 'http://127.0.0.1:3000'] });
});

it('refuses compatibility mode beyond loopback without the explicit setting, and warns when it is given', () => {
  expect(() => loadBridgeConfig({ ...base, HOST: '0.0.0.0', BANCO_BRIDGE_COMPAT: 'on' })).toThrow(/BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK=on/);
  const config = loadBridgeConfig({ ...base, HOST: '0.0.0.0', BANCO_BRIDGE_COMPAT: 'on', BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK: 'on' });
  expect(securityWarnings({ bridge: config, insecureDev: false }).join(' ')).toMatch(/INSECURE: .*WITHOUT authentication/);
  expect(securityWarnings({ bridge: loadBridgeConfig({ ...base, HOST: '0.0.0.0' }), insecureDev: false })).toEqual([]);
});

it('needs a session secret and the core token in production, and refuses a short secret', () => {
  expect(() => loadBridgeConfig({ ...base, NODE_ENV: 'production', BANCO_CORE_TOKEN: 't'.repeat(20) })).toThrow(/BANCO_BRIDGE_SESSION_SECRET/);
  expect(() => loadBridgeConfig({ ...base, NODE_ENV: 'production', BANCO_BRIDGE_SESSION_SECRET: 's'.repeat(32) })).toThrow(/BANCO_CORE_TOKEN/);
  expect(() => loadBridgeConfig({ ...base, BANCO_BRIDGE_SESSION_SECRET: 'short' })).toThrow(/at least 32/);
});

it('refuses an idle timeout longer than the session and half a TLS pair', () => {
  expect(() => loadBridgeConfig({ ...base, BANCO_BRIDGE_SESSION_TTL_MS: '60000', BANCO_BRIDGE_SESSION_IDLE_MS: '120000' })).toThrow(/BANCO_BRIDGE_SESSION_IDLE_MS/);
  expect(() => loadBridgeConfig({ ...base, BANCO_BRIDGE_TLS_CERT: '/nope.pem' })).toThrow(/BANCO_BRIDGE_TLS_KEY/);
});
