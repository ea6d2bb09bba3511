/**
 * The core's TCP port beyond loopback (CONTRACT §1, §3, §4): JSON lines serve only with a token,
 * legacy text (which has no authentication) stays off unless asked for, and the explicit
 * insecure-development opt-out is warned about.
 */
import { TcpClient } from '../helpers/tcp-client';
import { beyondLoopbackEnv, expectRefused, insecureWarnings, startBanco, TOKEN } from './helpers';

// The core alone: no broker needed (its relay is off), nothing else listens.
const CORE = { BANCO_RELAY: 'off' };

describe('core JSON lines bound beyond loopback', () => {
  it('refuses to start without BANCO_CORE_TOKEN, and with it refuses an unauthenticated request with NO_AUTORIZADO', async () => {
    await expectRefused(await beyondLoopbackEnv(CORE), ['start', 'core'], ['BANCO_CORE_TOKEN', 'BANCO_INSECURE_DEV=on']);
    const env = await beyondLoopbackEnv({ ...CORE, BANCO_CORE_TOKEN: TOKEN });
    const core = await startBanco(env, ['start', 'core'], 'core.listening');
    try {
      const client = await TcpClient.open(Number(env.CORE_PORT));
      expect(await client.json({ id: 1, op: 'depositar', cedula: '1350509525', monto: '1.00' })).toMatchObject({ id: 1, ok: false, error: { code: 'NO_AUTORIZADO' } });
      expect(await client.json({ id: 2, op: 'consulta', cedula: '1350509525' })).toMatchObject({ id: 2, ok: false, error: { code: 'NO_AUTORIZADO' } });
      expect(await client.json({ id: 3, op: 'auth', token: TOKEN })).toMatchObject({ id: 3, ok: true });
      expect(await client.json({ id: 4, op: 'consulta', cedula: '1350509525' })).toMatchObject({ id: 4, ok: true, cliente: { saldo: '5000.00' } });
      client.close();
      expect(insecureWarnings(core.stderr())).toEqual([]);
    } finally {
      expect((await core.stop()).code).toBe(0);
    }
  });

  it('starts without a token only with BANCO_INSECURE_DEV=on, and then logs that it is open', async () => {
    const env = await beyondLoopbackEnv({ ...CORE, BANCO_INSECURE_DEV: 'on' });
    const core = await startBanco(env, ['start', 'core'], 'security.insecure');
    try {
      const warnings = insecureWarnings(core.stderr());
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/INSECURE.*core JSON lines on 0\.0\.0\.0:\d+ .*WITHOUT authentication.*BANCO_CORE_TOKEN/);
      const client = await TcpClient.open(Number(env.CORE_PORT));
      expect(await client.json({ id: 1, op: 'consulta', cedula: '1350509525' })).toMatchObject({ ok: true });
      client.close();
    } finally {
      expect((await core.stop()).code).toBe(0);
    }
  });

  it('is refused in production even with BANCO_INSECURE_DEV=on', async () => {
    await expectRefused(await beyondLoopbackEnv({ ...CORE, NODE_ENV: 'production', BANCO_CORE_TOKEN: TOKEN, BANCO_INSECURE_DEV: 'on' }), ['start', 'core'], ['BANCO_INSECURE_DEV=on', 'NODE_ENV=production']);
  });
});

describe('core legacy text bound beyond loopback', () => {
  it('refuses a legacy command by default; BANCO_LEGACY_TEXT=on serves it and is logged as insecure', async () => {
    const env = await beyondLoopbackEnv({ ...CORE, BANCO_CORE_TOKEN: TOKEN });
    const core = await startBanco(env, ['start', 'core'], 'core.listening');
    try {
      const client = await TcpClient.open(Number(env.CORE_PORT));
      expect(await client.command('AUMENTAR 1350509525 100.00')).toBe('ERROR|Protocolo de texto deshabilitado; use JSON lines');
      client.close();
      const check = await TcpClient.open(Number(env.CORE_PORT));
      await check.json({ id: 0, op: 'auth', token: TOKEN });
      expect(await check.json({ id: 1, op: 'consulta', cedula: '1350509525' })).toMatchObject({ cliente: { saldo: '5000.00' } });
      check.close();
    } finally {
      expect((await core.stop()).code).toBe(0);
    }

    const opted = await startBanco({ ...env, BANCO_LEGACY_TEXT: 'on' }, ['start', 'core'], 'security.insecure');
    try {
      expect(insecureWarnings(opted.stderr())).toEqual([expect.stringMatching(/INSECURE: BANCO_LEGACY_TEXT=on, so the legacy text protocol on 0\.0\.0\.0:\d+ .*WITHOUT authentication/)]);
      const client = await TcpClient.open(Number(env.CORE_PORT));
      expect(await client.command('CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|5000.00');
      client.close();
    } finally {
      expect((await opted.stop()).code).toBe(0);
    }
  });
});
