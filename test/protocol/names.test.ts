/**
 * Names (nombres, apellidos) come back inside legacy `|` replies, terminals and logs, so the ledger
 * refuses characters that could act there — for both protocols alike — instead of storing them.
 */
import { fixedClock, startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;

const NEW = '0900000019';
const REFUSED_LEGACY = 'ERROR|Comando no reconocido o parámetros incorrectos';

/** Each a name a terminal or a reader would not see as written. */
const HOSTILE: Array<[what: string, name: string]> = [
  ['C1 control U+009B (a terminal CSI)', 'Ana\u009b2J'],
  ['C1 control U+0085 (next line)', 'Ana\u0085María'],
  ['lone high surrogate', 'Ana\ud800'],
  ['lone low surrogate', '\udc00Ana'],
  ['right-to-left override U+202E', 'Ana\u202eairaM'],
  ['left-to-right isolate U+2066', 'Ana\u2066María'],
  ['zero-width space U+200B', 'Ana\u200bMaría'],
  ['zero-width joiner U+200D', 'Ana\u200dMaría'],
  ['byte order mark U+FEFF', '\ufeffAna'],
  ['line separator U+2028', 'Ana\u2028María'],
  ['tab', 'Ana\tMaría'],
  ['carriage return', 'Ana\rMaría'],
  ['replacement character U+FFFD (what undecodable bytes become)', 'Ana\ufffd'],
  ['escape', 'Ana\u001b[2J'],
];

describe('names with characters that could act in replies, terminals or logs', () => {
  let core: Core;
  let client: TcpClient;

  beforeEach(async () => {
    core = await startTestCore({}, fixedClock());
    client = await TcpClient.open(core.port);
  });

  afterEach(async () => {
    client.close();
    await core.stop();
  });

  it.each(HOSTILE)('refuses a JSON crear whose nombres holds a %s and stores nothing', async (_what, name) => {
    const json = await TcpClient.open(core.port);
    try {
      const reply = await json.json({ id: 1, op: 'crear', cedula: NEW, nombres: name, apellidos: 'Torres' });
      expect(reply).toMatchObject({ id: 1, ok: false, error: { code: 'PARAMETRO_INVALIDO', campo: 'nombres' } });
      const apellidos = await json.json({ id: 2, op: 'crear', cedula: NEW, nombres: 'Ana', apellidos: name });
      expect(apellidos).toMatchObject({ id: 2, ok: false, error: { code: 'PARAMETRO_INVALIDO', campo: 'apellidos' } });
      expect(await core.store.getAccount(NEW)).toBeNull();
    } finally {
      json.close();
    }
  });

  // A lone surrogate cannot travel as UTF-8 text (the test sends it as raw bytes below); CR is framing-sensitive (own test).
  const LEGACY_HOSTILE = HOSTILE.filter(([what]) => what !== 'carriage return' && !what.startsWith('lone'));

  it.each(LEGACY_HOSTILE)('refuses a legacy CREAR whose name holds a %s and stores nothing', async (_what, name) => {
    expect(await client.command(`CREAR ${NEW} ${name} Torres`)).toBe(REFUSED_LEGACY);
    expect(await core.store.getAccount(NEW)).toBeNull();
    expect(await client.command(`CONSULTA ${NEW}`)).toBe('ERROR|Cliente no encontrado');
  });

  it('refuses a legacy CREAR with a carriage return inside a name, and takes CRLF as line framing', async () => {
    expect(await client.command(`CREAR ${NEW} Ana\rMaría Torres`)).toBe(REFUSED_LEGACY);
    expect(await core.store.getAccount(NEW)).toBeNull();
    client.write(`CREAR ${NEW} Ana María Torres Ruiz\r\n`);
    expect(await client.readLine()).toBe('OK|Cliente creado exitosamente|Ana María|Torres Ruiz|0.00');
  });

  it('refuses a legacy CREAR whose name bytes are not UTF-8 (an encoded lone surrogate) and stores nothing', async () => {
    const surrogate = Buffer.from([0xed, 0xa0, 0x80]); // U+D800 as CESU-8: invalid UTF-8
    client.write(Buffer.concat([Buffer.from(`CREAR ${NEW} Ana`), surrogate, Buffer.from(' Torres\n')]));
    expect(await client.readLine()).toBe(REFUSED_LEGACY);
    expect(await core.store.getAccount(NEW)).toBeNull();
  });

  it('does not take a tab in a legacy CREAR as a word separator', async () => {
    expect(await client.command(`CREAR ${NEW} Ana\tMaría Torres`)).toBe(REFUSED_LEGACY);
    expect(await core.store.getAccount(NEW)).toBeNull();
  });

  it('still accepts accented names and collapses runs of spaces', async () => {
    const json = await TcpClient.open(core.port);
    try {
      const reply = await json.json({ id: 1, op: 'crear', cedula: NEW, nombres: '  José   María ', apellidos: 'Núñez Ñandú' });
      expect(reply).toMatchObject({ ok: true, cliente: { nombres: 'José María', apellidos: 'Núñez Ñandú' } });
    } finally {
      json.close();
    }
  });
});
