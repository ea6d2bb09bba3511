/**
 * The Node-RED editor and admin API beyond loopback (CONTRACT §1): an open editor installs
 * palette modules and runs function nodes — remote code execution — so it serves only with a
 * login, unless BANCO_INSECURE_DEV=on says otherwise.
 */
import { beyondLoopbackEnv, EDITOR_HASH, expectRefused, insecureWarnings, startBanco } from './helpers';

describe('Node-RED editor bound beyond loopback', () => {
  it('refuses to start without an editor login, and with one answers the admin API with 401 to a client without a token', async () => {
    await expectRefused(await beyondLoopbackEnv(), ['start', 'node-red'], ['BANCO_NODE_RED_ADMIN_USER', 'BANCO_NODE_RED_ADMIN_PASSWORD_HASH', 'BANCO_INSECURE_DEV=on']);
    const env = await beyondLoopbackEnv({ BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: EDITOR_HASH });
    const red = await startBanco(env, ['start', 'node-red'], 'node-red.started');
    const admin = `http://127.0.0.1:${env.NODE_RED_PORT}`;
    try {
      expect((await fetch(`${admin}/flows`)).status).toBe(401);
      const install = await fetch(`${admin}/nodes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ module: 'node-red-contrib-anything' }) });
      expect(install.status).toBe(401);
      expect(insecureWarnings(red.stderr())).toEqual([]);
    } finally {
      expect((await red.stop()).code).toBe(0);
    }
  });

  it('starts without a login only with BANCO_INSECURE_DEV=on, and then logs that it is open', async () => {
    const env = await beyondLoopbackEnv({ BANCO_INSECURE_DEV: 'on' });
    const red = await startBanco(env, ['start', 'node-red'], 'security.insecure');
    try {
      expect(insecureWarnings(red.stderr())).toEqual([expect.stringMatching(/INSECURE.*Node-RED editor and admin API on 0\.0\.0\.0:\d+ .*WITHOUT authentication.*BANCO_NODE_RED_ADMIN_USER/)]);
      expect((await fetch(`http://127.0.0.1:${env.NODE_RED_PORT}/flows`)).status).toBe(200);
    } finally {
      expect((await red.stop()).code).toBe(0);
    }
  });
});
