/**
 * Legacy framing as the old clients really speak it (CONTRACT §3, issue 7): one command per write
 * with no newline, waiting for the reply. Whole commands run at once; only a piece of one waits
 * (bounded) for the rest; after a connection's first newline, only newlines end commands.
 */
import { isWholeLegacyCommand } from '../../core/protocol/legacy-framing';
import { roundLegacyAmount } from '../../core/protocol/legacy-amount';
import { startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;
const cores: Core[] = [];
const clients: TcpClient[] = [];

async function start(env: Record<string, string> = {}): Promise<Core> {
  const core = await startTestCore(env);
  cores.push(core);
  return core;
}

async function open(core: Core): Promise<TcpClient> {
  const c = await TcpClient.open(core.port);
  clients.push(c);
  return c;
}

/** Sends one write without newline and reads the reply as a legacy client does (it has no newline either). */
async function bare(c: TcpClient, command: string): Promise<string> {
  c.write(command);
  return c.readQuiet(30);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const core of cores.splice(0)) await core.stop();
});

describe('which newline-less bytes are a whole legacy command', () => {
  const whole = (text: string) => isWholeLegacyCommand(Buffer.from(text), 1024);
  test.each(['CONSULTA 1350509525', 'consulta 1', 'AUMENTAR 1350509525 10', 'TRANSFERIR 1 2 3', 'CREAR 1712345675 Ana Muñoz', 'STATS', 'SALIR', 'HOLA', '', '   ', 'CONSULTA 1 2'])('"%s" is whole', (text) => {
    expect(whole(text)).toBe(true);
  });
  test.each(['CONSULTA', 'CONSULTA ', 'AUMENTAR 1350509525', 'TRANSFERIR 1 2', 'CREAR 1712345675 Ana', 'CONS', 'aumen'])('"%s" is a piece of a command', (text) => {
    expect(whole(text)).toBe(false);
  });
  test('bytes that end inside a UTF-8 character are a piece', () => {
    const bytes = Buffer.from('CREAR 1712345675 Ana Muñoz');
    expect(isWholeLegacyCommand(bytes.subarray(0, bytes.indexOf(Buffer.from('ñ')) + 1), 1024)).toBe(false);
  });
  test('more bytes than the old recv(1024) are never one whole command', () => {
    expect(isWholeLegacyCommand(Buffer.from('CONSULTA ' + '1'.repeat(1100)), 1024)).toBe(false);
  });
});

describe('legacy framing of newline-less writes', () => {
  test('a whole command without newline is answered without waiting for more bytes', async () => {
    const core = await start({ BANCO_LEGACY_INCOMPLETE_WAIT_MS: '60000' });
    const c = await open(core);
    c.write('CONSULTA 1350509525');
    expect(await c.readQuiet(30, 3000)).toBe('OK|Stefano|Aguilar|5000.00');
  });

  test('twenty commands one write each, each waiting for its reply, take less than twenty fragment waits', async () => {
    // The old core waited 25 ms after every newline-less write: 20 round trips took ≥ 500 ms.
    const core = await start();
    const c = await open(core);
    const replies: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      c.write('AUMENTAR 1350509525 1');
      replies.push(await readReply(c));
    }
    expect(Date.now() - started).toBeLessThan(500);
    expect(replies[19]).toBe('OK|Depósito exitoso|5020.00');
  });

  test('a piece of a command waits for the rest: AUMENTAR <ced>, a pause, then the amount', async () => {
    const core = await start();
    const c = await open(core);
    c.write('AUMENTAR 1350509525');
    await sleep(60);
    c.write(' 1000');
    expect(await c.readQuiet(60)).toBe('OK|Depósito exitoso|6000.00');
  });

  test('a piece that never completes is answered after the bounded wait', async () => {
    const core = await start({ BANCO_LEGACY_INCOMPLETE_WAIT_MS: '100' });
    const c = await open(core);
    c.write('CONSULTA');
    expect(await c.readQuiet(300)).toBe('ERROR|Comando no reconocido o parámetros incorrectos');
    expect(await bare(c, 'CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|5000.00');
  });

  test('once a connection has sent a newline, a pause inside a command does not cut its amount short', async () => {
    const core = await start();
    const c = await open(core);
    expect(await c.command('CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|5000.00');
    c.write('AUMENTAR 1350509525 10');
    await sleep(300); // longer than any fragment wait, old or new
    c.write('00\n');
    expect(await c.readLine()).toBe('OK|Depósito exitoso|6000.00');
    expect(await c.command('CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|6000.00');
  });
});

describe('legacy framing after a connection\'s first newline', () => {
  test('a wait for the rest of a piece, started before the first newline, does not cut the next command short', async () => {
    // Found by review: the piece `CONSULTA` started the wait; the next write ended that line and
    // began `AUMENTAR … 10`; when the wait ran out, the old code ran it as `10.00`.
    const core = await start();
    const c = await open(core);
    c.write('CONSULTA');
    await sleep(20);
    c.write(' 1350509525\nAUMENTAR 1350509525 10');
    expect(await c.readLine()).toBe('OK|Stefano|Aguilar|5000.00');
    await sleep(400); // past the 200 ms wait
    c.write('00\n');
    expect(await c.readLine()).toBe('OK|Depósito exitoso|6000.00');
  });
});

describe('BANCO_LEGACY_ROUND_AMOUNTS (legacy text only)', () => {
  test('rounding is half-up to cents, as the old DECIMAL(10,2) column stored them', () => {
    expect(roundLegacyAmount('63.84729384729384')).toBe('63.85');
    expect(roundLegacyAmount('63.844')).toBe('63.84');
    expect(roundLegacyAmount('63.845')).toBe('63.85');
    expect(roundLegacyAmount('0.999')).toBe('1.00');
    expect(roundLegacyAmount('10.5')).toBe('10.5');
    for (const refused of ['NaN', 'Infinity', '1e3', '-5.123', '+5.123', '5.', '.125', '0x10']) expect(roundLegacyAmount(refused)).toBe(refused);
  });

  test('off by default: an amount with more than two decimals is refused and changes nothing', async () => {
    const c = await open(await start());
    expect(await c.command('AUMENTAR 1350509525 63.84729384729384')).toBe('ERROR|Formato de monto inválido');
    expect(await c.command('CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|5000.00');
  });

  test('on: deposits, withdrawals and transfers round; NaN, exponents and negatives stay refused; JSON lines stay strict', async () => {
    const core = await start({ BANCO_LEGACY_ROUND_AMOUNTS: 'on' });
    const c = await open(core);
    expect(await c.command('AUMENTAR 1350509525 63.84729384729384')).toBe('OK|Depósito exitoso|5063.85');
    expect(await c.command('DISMINUIR 1350509525 0.845')).toBe('OK|Retiro exitoso|5063.00');
    expect(await c.command('TRANSFERIR 1350509525 1315151515 1.005')).toBe('OK|Transferencia exitosa|5061.99|1501.01');
    expect(await c.command('AUMENTAR 1350509525 0.004')).toBe('ERROR|El monto debe ser positivo');
    for (const bad of ['NaN', 'Infinity', '1e3', '-5.123']) expect(await c.command(`AUMENTAR 1350509525 ${bad}`)).toMatch(/^ERROR\|(Formato de monto inválido|El monto debe ser positivo)$/);
    const j = await open(core);
    j.write(JSON.stringify({ id: 1, op: 'depositar', cedula: '1350509525', monto: '63.847' }) + '\n');
    expect(JSON.parse(await j.readLine())).toMatchObject({ ok: false, error: { code: 'MONTO_INVALIDO' } });
    expect(await c.command('CONSULTA 1350509525')).toBe('OK|Stefano|Aguilar|5061.99');
  });
});

/** A legacy client's read: everything up to the first pause once something arrived. */
async function readReply(c: TcpClient): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const text = await c.readQuiet(1, 5000);
    if (text !== '') return text;
  }
  throw new Error('no reply');
}
