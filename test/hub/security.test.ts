/** The listener rule as a pure function of the parts' settings (CONTRACT §1): which listeners are open, and what is said about them. */
import { loadBrokerConfig } from '../../core/broker';
import { isLoopback, loadCoreConfig, parseInsecureDev } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { loadNodeRedConfig } from '../../hub/config';
import { createLogger } from '../../core/log';
import { HUB_LIMITS } from '../../hub/limits';
import { loadMetricsConfig } from '../../core/metrics';
import { enforceListenerAuth, openListeners, securityWarnings, startSecurityReminder, type SecurityInputs } from '../../hub/security';

const TOKEN = 'a-service-token-of-24chr';
const BCRYPT = '$2b$08$abcdefghijklmnopqrstuu5lqB8VgJxvX2m3zGq6W1kQ6vYt2Wc1a';

function parts(env: Record<string, string>): SecurityInputs {
  return { core: loadCoreConfig(env), broker: loadBrokerConfig(env), editor: loadNodeRedConfig(env), insecureDev: parseInsecureDev(env) };
}

describe('the listener rule', () => {
  it('counts only 127.0.0.0/8, ::1 and localhost as loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.10', 'banco.example', '128.0.0.1']) expect(isLoopback(host)).toBe(false);
  });

  it('finds nothing open on loopback, whatever is configured', () => {
    expect(openListeners(parts({}))).toEqual([]);
    expect(securityWarnings(parts({}))).toEqual([]);
  });

  it('beyond loopback, names every listener without authentication and the setting that closes it, in one line', () => {
    const open = openListeners(parts({ HOST: '0.0.0.0' }));
    expect(open.map((o) => [o.listener, o.address])).toEqual([
      ['core JSON lines', '0.0.0.0:5000'],
      ['MQTT TCP + MQTT WebSocket', '0.0.0.0:1883'],
      ['Node-RED editor and admin API', '0.0.0.0:1880'],
    ]);
    expect(() => enforceListenerAuth(parts({ HOST: '0.0.0.0' }))).toThrow(ConfigError);
    expect(() => enforceListenerAuth(parts({ HOST: '0.0.0.0' }))).toThrow(/^listeners beyond loopback must authenticate their clients: core JSON lines on 0\.0\.0\.0:5000 needs BANCO_CORE_TOKEN; MQTT TCP \+ MQTT WebSocket on 0\.0\.0\.0:1883 needs BANCO_MQTT_USERS_FILE.*; Node-RED editor and admin API on 0\.0\.0\.0:1880 needs BANCO_NODE_RED_ADMIN_USER and BANCO_NODE_RED_ADMIN_PASSWORD_HASH\..*BANCO_INSECURE_DEV=on/);
  });

  it('beyond loopback, is satisfied by a core token, a users file with anonymous off and an editor login', () => {
    const env = { HOST: '0.0.0.0', BANCO_CORE_TOKEN: TOKEN, BANCO_MQTT_USERS_FILE: 'users.json', BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: BCRYPT };
    expect(openListeners(parts(env))).toEqual([]);
    expect(() => enforceListenerAuth(parts(env))).not.toThrow();
    expect(openListeners(parts({ ...env, BANCO_MQTT_ALLOW_ANONYMOUS: 'on' }))).toEqual([expect.objectContaining({ add: 'BANCO_MQTT_ALLOW_ANONYMOUS=off' })]);
  });

  it('beyond loopback, asks the health and metrics listener for BANCO_METRICS_TOKEN, and is satisfied by it', () => {
    const metrics = loadMetricsConfig({ HOST: '0.0.0.0', BANCO_METRICS_PORT: '9464' })!;
    expect(openListeners({ metrics, insecureDev: false })).toEqual([{ listener: 'health and metrics', address: '0.0.0.0:9464', add: 'BANCO_METRICS_TOKEN' }]);
    expect(() => enforceListenerAuth({ metrics, insecureDev: false })).toThrow(/health and metrics on 0\.0\.0\.0:9464 needs BANCO_METRICS_TOKEN/);
    expect(openListeners({ metrics: loadMetricsConfig({ HOST: '0.0.0.0', BANCO_METRICS_TOKEN: TOKEN })!, insecureDev: false })).toEqual([]);
    expect(openListeners({ metrics: loadMetricsConfig({ HOST: '0.0.0.0', BANCO_METRICS_HOST: '127.0.0.1' })!, insecureDev: false })).toEqual([]);
  });

  it('checks only the parts this process starts', () => {
    const env = { HOST: '0.0.0.0', BANCO_CORE_TOKEN: TOKEN };
    expect(() => enforceListenerAuth({ core: loadCoreConfig(env), insecureDev: false })).not.toThrow();
    expect(() => enforceListenerAuth({ broker: loadBrokerConfig(env), insecureDev: false })).toThrow(/BANCO_MQTT_USERS_FILE/);
  });

  it('with BANCO_INSECURE_DEV=on starts anyway and turns every open listener into a warning', () => {
    const p = parts({ HOST: '0.0.0.0', BANCO_INSECURE_DEV: 'on' });
    expect(() => enforceListenerAuth(p)).not.toThrow();
    const warnings = securityWarnings(p);
    expect(warnings).toHaveLength(3);
    for (const w of warnings) expect(w).toMatch(/^INSECURE: BANCO_INSECURE_DEV=on, so .* WITHOUT authentication; add /);
  });

  it('warns about legacy text beyond loopback, which only BANCO_LEGACY_TEXT=on switches on there', () => {
    const env = { HOST: '0.0.0.0', BANCO_CORE_TOKEN: TOKEN };
    expect(securityWarnings({ core: loadCoreConfig(env), insecureDev: false })).toEqual([]);
    expect(securityWarnings({ core: loadCoreConfig({ ...env, BANCO_LEGACY_TEXT: 'on' }), insecureDev: false })).toEqual([expect.stringMatching(/^INSECURE: BANCO_LEGACY_TEXT=on, so the legacy text protocol on 0\.0\.0\.0:5000/)]);
    expect(securityWarnings({ core: loadCoreConfig({ BANCO_LEGACY_TEXT: 'on' }), insecureDev: false })).toEqual([]);
  });

  it('refuses BANCO_INSECURE_DEV=on in production and a value that is not on or off', () => {
    expect(() => parseInsecureDev({ NODE_ENV: 'production', BANCO_INSECURE_DEV: 'on' })).toThrow('BANCO_INSECURE_DEV=on is refused with NODE_ENV=production');
    expect(() => parseInsecureDev({ BANCO_INSECURE_DEV: 'si' })).toThrow('BANCO_INSECURE_DEV=si must be on or off.');
    expect(parseInsecureDev({})).toBe(false);
  });
});

describe('the insecure reminder', () => {
  afterEach(() => jest.useRealTimers());

  it('logs every warning at start-up and again each interval until stopped', () => {
    jest.useFakeTimers();
    const lines: string[] = [];
    const stop = startSecurityReminder(['INSECURE: a', 'INSECURE: b'], createLogger({ write: (l) => lines.push(l) }));
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'warn', event: 'security.insecure', message: 'INSECURE: a' }), expect.objectContaining({ message: 'INSECURE: b' })]);
    jest.advanceTimersByTime(HUB_LIMITS.insecure_warning_interval_ms);
    expect(lines).toHaveLength(4);
    stop();
    jest.advanceTimersByTime(HUB_LIMITS.insecure_warning_interval_ms * 3);
    expect(lines).toHaveLength(4);
  });

  it('says nothing when nothing is insecure', () => {
    const lines: string[] = [];
    startSecurityReminder([], createLogger({ write: (l) => lines.push(l) }))();
    expect(lines).toEqual([]);
  });
});
