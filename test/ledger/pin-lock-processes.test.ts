/**
 * Two real core processes on one MariaDB database: wrong PINs sent to either add up to one lock,
 * for a cédula with an account and for one without (CONTRACT §4; docs/protocol.md, PIN lockout).
 */
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { createTestDatabase, describeWith } from '../helpers/services';
import { TcpClient } from '../helpers/tcp-client';

const DEMO = '1315151515'; // demo client, PIN 1234
const UNKNOWN = '0900000019';

describeWith('mysql', 'PIN lock across core processes', () => {
  let db: { url: string; drop: () => Promise<void> };
  const cores: CoreProcess[] = [];
  const clients: TcpClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('banco_pin');
    const env = { DATABASE_URL: db.url, BANCO_RELAY: 'off', BANCO_DEMO_DATA: 'on' };
    cores.push(await spawnCore(env));
    cores.push(await spawnCore(env));
    for (const core of cores) clients.push(await TcpClient.open(core.port));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const core of cores) {
      core.proc.kill('SIGTERM');
      await core.exited;
    }
    await db.drop();
  });

  const check = async (which: number, cedula: string, pin: string): Promise<string> => {
    const r = (await clients[which].json({ id: 1, op: 'verificar_pin', cedula, pin })) as { ok: boolean; error?: { code: string } };
    return r.ok ? 'OK' : r.error!.code;
  };

  it.each([
    ['an account', DEMO],
    ['a cédula without an account', UNKNOWN],
  ])('locks %s after five wrong PINs sent alternately to two processes', async (_what, cedula) => {
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await check(i % 2, cedula, '9999'));
    expect(answers).toEqual(['PIN_INCORRECTO', 'PIN_INCORRECTO', 'PIN_INCORRECTO', 'PIN_INCORRECTO', 'CUENTA_BLOQUEADA', 'CUENTA_BLOQUEADA']);
    expect(await check(0, cedula, '1234')).toBe('CUENTA_BLOQUEADA');
    expect(await check(1, cedula, '1234')).toBe('CUENTA_BLOQUEADA');
  });
});
