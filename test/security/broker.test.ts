/**
 * The embedded broker's TCP and WebSocket listeners beyond loopback (CONTRACT §1, §5): they serve
 * only with a users file and anonymous access off, unless BANCO_INSECURE_DEV=on says otherwise.
 */
import path from 'node:path';
import { connect, writeUsers } from '../broker/helpers';
import { beyondLoopbackEnv, expectRefused, insecureWarnings, startBanco } from './helpers';

const READER = { username: 'lector', password: 'lector-password-1', role: 'reader' as const };

describe('embedded broker bound beyond loopback', () => {
  it('refuses to start without a users file, and with one refuses anonymous clients on TCP and WebSocket (CONNACK 5)', async () => {
    await expectRefused(await beyondLoopbackEnv(), ['start', 'broker'], ['BANCO_MQTT_USERS_FILE', 'MQTT TCP + MQTT WebSocket', 'BANCO_INSECURE_DEV=on']);
    const env = await beyondLoopbackEnv();
    env.BANCO_MQTT_USERS_FILE = path.join(env.DATA_DIR, 'mqtt-users.json');
    await writeUsers(env.BANCO_MQTT_USERS_FILE, [READER]);
    const broker = await startBanco(env, ['start', 'broker'], 'mqtt_broker_started');
    const tcp = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
    const ws = `ws://127.0.0.1:${env.MQTT_WS_PORT}`;
    try {
      await expect(connect(tcp)).rejects.toMatchObject({ code: 5 });
      await expect(connect(ws)).rejects.toMatchObject({ code: 5 });
      await expect(connect(tcp, { username: READER.username, password: 'wrong-password' })).rejects.toMatchObject({ code: 4 });
      const users = [await connect(tcp, READER), await connect(ws, READER)];
      await Promise.all(users.map((c) => c.endAsync()));
      expect(insecureWarnings(broker.stderr())).toEqual([]);
    } finally {
      expect((await broker.stop()).code).toBe(0);
    }
  });

  it('refuses to start when anonymous access is switched on beside the users file', async () => {
    const env = await beyondLoopbackEnv({ BANCO_MQTT_ALLOW_ANONYMOUS: 'on' });
    env.BANCO_MQTT_USERS_FILE = path.join(env.DATA_DIR, 'mqtt-users.json');
    await writeUsers(env.BANCO_MQTT_USERS_FILE, [READER]);
    await expectRefused(env, ['start', 'broker'], ['BANCO_MQTT_ALLOW_ANONYMOUS=off']);
  });

  it('starts without a users file only with BANCO_INSECURE_DEV=on, and then logs that it is open', async () => {
    const env = await beyondLoopbackEnv({ BANCO_INSECURE_DEV: 'on' });
    const broker = await startBanco(env, ['start', 'broker'], 'security.insecure');
    try {
      expect(insecureWarnings(broker.stderr())).toEqual([expect.stringMatching(/INSECURE.*MQTT TCP \+ MQTT WebSocket on 0\.0\.0\.0:\d+ .*WITHOUT authentication.*BANCO_MQTT_USERS_FILE/)]);
      const anonymous = await connect(`mqtt://127.0.0.1:${env.MQTT_PORT}`);
      await anonymous.endAsync();
    } finally {
      expect((await broker.stop()).code).toBe(0);
    }
  });
});
