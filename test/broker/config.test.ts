import path from 'node:path';
import { loadBrokerConfig } from '../../core/broker/config';
import { BROKER_LIMITS } from '../../core/broker/limits';
import { ConfigError } from '../../core/errors';
import { tempDir } from './helpers';
import { writeFileSync } from 'node:fs';

describe('loadBrokerConfig', () => {
  it('uses the contract defaults in development: 127.0.0.1, 1883, 9001, prefix banco, anonymous allowed, no TLS', () => {
    const config = loadBrokerConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', tcpPort: 1883, wsPort: 9001, tls: null, topicPrefix: 'banco', allowAnonymous: true, usersFile: null, persistenceDir: null });
    expect(config.limits).toEqual(BROKER_LIMITS);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('requires a users file and refuses anonymous access in production', () => {
    expect(() => loadBrokerConfig({ NODE_ENV: 'production' })).toThrow('NODE_ENV=production requires BANCO_MQTT_USERS_FILE');
    expect(() => loadBrokerConfig({ NODE_ENV: 'production', BANCO_MQTT_USERS_FILE: 'u.json', BANCO_MQTT_ALLOW_ANONYMOUS: 'on' })).toThrow(ConfigError);
    expect(loadBrokerConfig({ NODE_ENV: 'production', BANCO_MQTT_USERS_FILE: 'u.json' }).allowAnonymous).toBe(false);
  });

  it('lets development switch anonymous access off', () => {
    expect(loadBrokerConfig({ BANCO_MQTT_ALLOW_ANONYMOUS: 'off' }).allowAnonymous).toBe(false);
  });

  it('keeps anonymous access off beyond loopback unless asked for or BANCO_INSECURE_DEV=on', () => {
    expect(loadBrokerConfig({ HOST: '0.0.0.0' }).allowAnonymous).toBe(false);
    expect(loadBrokerConfig({ HOST: '0.0.0.0', BANCO_INSECURE_DEV: 'on' }).allowAnonymous).toBe(true);
    expect(loadBrokerConfig({ HOST: '0.0.0.0', BANCO_MQTT_ALLOW_ANONYMOUS: 'on' }).allowAnonymous).toBe(true);
  });

  it.each([
    [{ MQTT_PORT: '70000' }, 'MQTT_PORT=70000 is not a TCP port'],
    [{ MQTT_WS_PORT: 'nine' }, 'MQTT_WS_PORT=nine is not a TCP port'],
    [{ BANCO_TOPIC_PREFIX: 'banco/#' }, 'BANCO_TOPIC_PREFIX=banco/# must be topic levels'],
    [{ BANCO_TOPIC_PREFIX: '$SYS' }, 'BANCO_TOPIC_PREFIX=$SYS must be topic levels'],
    [{ BANCO_MQTT_PERSISTENCE: 'maybe' }, 'BANCO_MQTT_PERSISTENCE=maybe must be on or off'],
    [{ BANCO_MQTT_CONNECTIONS_MAX: '0' }, 'BANCO_MQTT_CONNECTIONS_MAX=0 must be a whole number from 1 to 100000'],
    [{ BANCO_MQTT_TLS_PORT: '8883' }, 'needs both BANCO_MQTT_TLS_CERT and BANCO_MQTT_TLS_KEY'],
    [{ BANCO_MQTT_TLS_CERT: '/nonexistent/server.crt' }, 'BANCO_MQTT_TLS_CERT=/nonexistent/server.crt: no such file'],
  ])('refuses %j with one clear line', (env, message) => {
    expect(() => loadBrokerConfig(env)).toThrow(ConfigError);
    expect(() => loadBrokerConfig(env)).toThrow(message);
  });

  it('turns MQTT_WS_PORT=off into no WebSocket listener and persistence on into DATA_DIR/mqtt', () => {
    const config = loadBrokerConfig({ MQTT_WS_PORT: 'off', BANCO_MQTT_PERSISTENCE: 'on', DATA_DIR: '/var/banco' });
    expect(config.wsPort).toBeNull();
    expect(config.persistenceDir).toBe(path.join('/var/banco', 'mqtt'));
  });

  it('enables TLS on 8883 when a certificate and key are given', () => {
    const tmp = tempDir('banco-tlscfg-');
    const cert = path.join(tmp.dir, 'c.pem');
    const key = path.join(tmp.dir, 'k.pem');
    writeFileSync(cert, '');
    writeFileSync(key, '');
    expect(loadBrokerConfig({ BANCO_MQTT_TLS_CERT: cert, BANCO_MQTT_TLS_KEY: key }).tls).toEqual({ port: 8883, certFile: cert, keyFile: key, caFile: null });
    tmp.remove();
  });
});
