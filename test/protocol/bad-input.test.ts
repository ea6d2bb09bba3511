/**
 * Bad input never changes state, never crashes the process and never leaks exception text
 * (CONTRACT §3, §4). 1,000 generated bad inputs — garbage bytes, broken JSON, huge lines, bad
 * amounts, unknown ops, missing fields, wrong types, SQL-looking strings, unicode, null bytes and
 * control characters — go to one core over both protocols and many connections. The generator is
 * a seeded PRNG, so every run sends the same bytes.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;
type Reply = Record<string, unknown>;

const SEED = 0x8badf00d;
const INPUTS_TOTAL = 1000;
const PIPELINE = 25;

// ---- a seeded PRNG (mulberry32) ---------------------------------------------------------------

class Rng {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Random bytes without `\n` (each input is one line) and not blank. */
  garbage(lengthMax: number): Buffer {
    const bytes = Buffer.alloc(1 + this.int(lengthMax));
    for (let i = 0; i < bytes.length; i++) {
      let b = this.int(256);
      if (b === 0x0a) b = 0x00;
      bytes[i] = b;
    }
    bytes[0] = 0x21 + this.int(0x5e); // a visible ASCII first byte, so the line is never blank
    return bytes;
  }

  randomCase(word: string): string {
    return Array.from(word, (ch) => (this.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase())).join('');
  }
}

// ---- building blocks ------------------------------------------------------------------------

const DEMO = ['1315151515', '1720304050', '0987654321', '1104567890', '0912345678', '1350509525'];
const SQL = ["1' OR '1'='1", '; DROP TABLE clientes;--', "'; DELETE FROM transacciones; --", '1; UPDATE clientes SET saldo_centavos=0', '" OR ""="', '1 UNION SELECT * FROM clientes'];
/** Characters that are not whitespace to a JS `\s` split, so inserting them never forms a valid command. */
const ODD_CHARS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u001f', '\u007f', '\u200b', '\ufffd', 'é', 'ñ', '💰', '𝟙', '١', '１', '\u202e'];
const UNICODE = ['Ñandú', '日本語', '💰💰', 'ﬁ', 'Ａｎａ', 'ä\u0308', '\u202eabc', 'Ωmega', 'إسم'];

/** Amount texts every protocol must refuse. */
const BAD_AMOUNT_TEXT = [
  'NaN', 'nan', 'Infinity', '-Infinity', '+Infinity', '-1', '-0.01', '0', '0.00', '-0', '1e3', '1E3', '1e-2', '0.001', '1,5', '1.234', '10.000',
  '1.', '.5', '+5', '0x10', 'abc', '١٢', '１２', '5$', '$5', '1000000.01', '99999999999999999999', '9'.repeat(40), '1_000', '1\u00005', '5\u0007',
  ...SQL.map((s) => s.replace(/\s/g, '')),
];
/** Amount values for JSON (besides the texts): numbers and other types. */
const BAD_AMOUNT_JSON: unknown[] = [-1, 0, -0, 0.001, 0.1 + 0.2, 1.005, 1e21, 1e-7, 1000000.01, 1e300, null, true, false, {}, [], [5], { valor: 5 }, ''];
/** Raw JSON number tokens that JSON.parse refuses or turns into something refused (not 1e3: JSON.parse makes it 1000). */
const BAD_AMOUNT_RAW = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '0x10', '01', '.5', '+5', '1.', '- 1', '1e-7', '0.30000000000000004', '1.234'];
/** Account keys that are malformed or name no account. */
const BAD_KEYS: unknown[] = [
  '', 'abc', '1712345675', '999', '0000000000', '1'.repeat(16), ' 1315151515', '1315151515 ', '1315151515\u0000', '１３１５１５１５１５', '١٣١٥١٥١٥١٥', '13151515-15',
  1315151515, 0, -1, null, true, [], ['1315151515'], { cedula: '1315151515' }, ...SQL,
];
/** Cédulas a new account can never have: failing the rules, or already taken. */
const BAD_NEW_CEDULAS: unknown[] = ['1712345674', '2512345670', '1762345675', '3112345671', '0012345678', '1315151515', '1350509525', '171234567', '17123456750', ...BAD_KEYS.filter((k) => k !== '1712345675')];
const BAD_NAMES: unknown[] = ['', '   ', 'Ana|Pérez', 'x'.repeat(101), 'Ana\u0000', 'Ana\u0007Torres', 'Ana\nTorres', '\u007f', 5, null, true, [], ['Ana'], { n: 'Ana' }];
const BAD_PINS: unknown[] = ['12', '123', 'abcd', '1234567890123', '12 34', '１２３４', 1234, true, [], {}, '1234\u0000'];
const BAD_REFS: unknown[] = ['', 'x'.repeat(65), 'con espacio', 'ñ', '\u0000', 'a\tb', 5, 0, true, [], {}, ['r']];
const UNKNOWN_OPS: unknown[] = ['DEPOSITAR', 'Consulta', 'deposit', 'borrar', 'drop', 'eval', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ping', 'ping ', 'pïng', 'depositar\u0000', ...SQL];
const WRONG_OPS: unknown[] = [5, null, true, [], ['ping'], { op: 'ping' }];

function validNewCedula(rng: Rng): string {
  for (;;) {
    const province = rng.pick([...Array.from({ length: 24 }, (_, i) => i + 1), 30]);
    const nine = `${String(province).padStart(2, '0')}${rng.int(6)}${String(rng.int(1e6)).padStart(6, '0')}`;
    let sum = 0;
    for (let i = 0; i < 9; i++) {
      const p = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
      sum += p > 9 ? p - 9 : p;
    }
    const cedula = nine + ((10 - (sum % 10)) % 10);
    if (!DEMO.includes(cedula)) return cedula;
  }
}

// ---- legacy text inputs (one line each, no `\n` inside) ---------------------------------------

function legacyInput(rng: Rng): string | Buffer {
  const acct = () => rng.pick(DEMO);
  const badKey = () => String(rng.pick(BAD_KEYS.filter((k) => typeof k === 'string' && k !== '' && !/\s/.test(k as string))));
  const amount = () => rng.pick(BAD_AMOUNT_TEXT);
  const word = (w: string) => rng.randomCase(w);
  const two = () => {
    const a = acct();
    return [a, rng.pick(DEMO.filter((d) => d !== a))];
  };
  switch (rng.int(16)) {
    case 0:
      return rng.garbage(200);
    case 1:
      return `${word('AUMENTAR')} ${acct()} ${amount()}`;
    case 2:
      return `${word('DISMINUIR')} ${acct()} ${rng.chance(0.5) ? amount() : '999999'}`;
    case 3:
      return `${word(rng.pick(['AUMENTAR', 'DISMINUIR']))} ${badKey()} ${rng.pick(['1', '10.50'])}`;
    case 4: {
      const [a, b] = two();
      return rng.pick([`TRANSFERIR ${a} ${b} ${amount()}`, `TRANSFERIR ${a} ${a} 1`, `TRANSFERIR ${badKey()} ${b} 1`, `TRANSFERIR ${a} ${badKey()} 1`, `TRANSFERIR ${a} ${b} 999999`].map(word));
    }
    case 5:
      return `${word('CREAR')} ${rng.pick(BAD_NEW_CEDULAS.filter((k) => typeof k === 'string' && k !== '' && !/\s/.test(k as string)))} Ana María Torres`;
    case 6:
      return rng.pick([`CREAR ${validNewCedula(rng)} Ana`, `CREAR ${validNewCedula(rng)}`, `CREAR ${validNewCedula(rng)} Ana|X Torres`, `CREAR ${validNewCedula(rng)} Ana\u0001 Torres`, `CREAR ${validNewCedula(rng)} ${'x'.repeat(101)} Torres`]);
    case 7:
      return rng.pick(['CONSULTA', `CONSULTA ${acct()} ${acct()}`, `AUMENTAR ${acct()}`, `DISMINUIR ${acct()} 1 2`, `TRANSFERIR ${acct()} ${acct()}`, 'HISTORIAL', `HISTORIAL ${acct()} 5`, 'STATS 1', 'SALIR ahora', 'CREAR']);
    case 8:
      return `${rng.pick(['DEPOSITAR', 'RETIRAR', 'SELECT', 'DROP', 'HELP', 'EXIT', 'QUIT', 'CONSULTAR', 'AUMENTA', 'ΑUMENTAR', 'AUMENTAR\u200b', 'PING', 'AUTH', '{'])} ${acct()} 10`;
    case 9:
      return rng.pick(SQL) + ' ' + rng.pick(SQL);
    case 10:
      return `${rng.pick(['CONSULTA', 'HISTORIAL', 'AUMENTAR', 'CREAR'])} ${rng.pick(SQL).replace(/\s/g, '')} ${rng.pick(UNICODE)}`;
    case 11: {
      // a valid movement with a non-space odd character spliced into one of its words
      const text = `AUMENTAR ${acct()} 10`;
      const at = 1 + rng.int(text.length - 1);
      return text.slice(0, at) + rng.pick(ODD_CHARS) + text.slice(at);
    }
    case 12:
      return rng.pick(UNICODE) + ' ' + rng.pick(UNICODE);
    case 13:
      return rng.pick(['', ' ', '\t', '\r', '\u0000', '\u0000\u0000\u0000', '\u001b[2J', '\u0007\u0008', '|||', 'OK|1', 'ERROR|x']);
    case 14: {
      const bytes = Buffer.from(`AUMENTAR ${acct()} `);
      return Buffer.concat([bytes, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80])]);
    }
    default:
      return `${word('DISMINUIR')} ${acct()} ${rng.pick(['1.001', '1e2', '0', '-0', '-50', 'NaN', 'Infinity', '0x1', '1,00', '1000000.01', '2000000'])}`;
  }
}

// ---- JSON-lines inputs (one line each) --------------------------------------------------------

interface JsonInput {
  line: string | Buffer;
  /** The op when the line is a well-formed request with a string id we track. */
  op?: unknown;
  id?: string;
}

function jsonRequest(rng: Rng, n: number): JsonInput {
  const id = `bad-${n}`;
  const acct = () => rng.pick(DEMO);
  const good = () => rng.pick<unknown>(['1', '1.00', 5, 0.5, '250.25']);
  const drop = (req: Record<string, unknown>, field: string, bad: readonly unknown[]) => {
    if (rng.chance(0.15)) delete req[field];
    else req[field] = rng.pick(bad);
    return req;
  };
  let req: Record<string, unknown>;
  switch (rng.int(10)) {
    case 0:
    case 1: {
      const op = rng.pick(['depositar', 'retirar']);
      req = { id, op, cedula: acct(), monto: good() };
      const broken = rng.pick(['cedula', 'monto', 'monto', 'ref', 'toomuch']);
      if (broken === 'cedula') drop(req, 'cedula', BAD_KEYS);
      else if (broken === 'monto') drop(req, 'monto', [...BAD_AMOUNT_TEXT, ...BAD_AMOUNT_JSON]);
      else if (broken === 'ref') req.ref = rng.pick(BAD_REFS);
      else Object.assign(req, { op: 'retirar', monto: '999999' });
      break;
    }
    case 2:
    case 3: {
      const origen = acct();
      req = { id, op: 'transferir', origen, destino: rng.pick(DEMO.filter((d) => d !== origen)), monto: good() };
      const broken = rng.pick(['origen', 'destino', 'monto', 'same', 'ref', 'toomuch']);
      if (broken === 'origen' || broken === 'destino') drop(req, broken, BAD_KEYS);
      else if (broken === 'monto') drop(req, 'monto', [...BAD_AMOUNT_TEXT, ...BAD_AMOUNT_JSON]);
      else if (broken === 'same') req.destino = origen;
      else if (broken === 'ref') req.ref = rng.pick(BAD_REFS);
      else req.monto = '999999';
      break;
    }
    case 4: {
      req = { id, op: 'crear', cedula: validNewCedula(rng), nombres: rng.pick(['Ana', 'José María', ...UNICODE]), apellidos: 'Torres' };
      const broken = rng.pick(['cedula', 'cedula', 'nombres', 'apellidos', 'pin']);
      if (broken === 'cedula' && rng.chance(0.4)) req.cedula = '1350509525'; // taken
      else if (broken === 'cedula') drop(req, 'cedula', BAD_NEW_CEDULAS);
      else if (broken === 'pin') req.pin = rng.pick(BAD_PINS);
      else drop(req, broken, BAD_NAMES);
      break;
    }
    case 5:
      req = rng.chance(0.5) ? { id, op: 'verificar_pin', cedula: rng.pick(BAD_KEYS), pin: '1234' } : { id, op: 'verificar_pin', cedula: acct(), pin: rng.pick([1234, null, [], {}, true, 'x'.repeat(65)]) };
      break;
    case 6:
      req = { id, op: rng.pick(UNKNOWN_OPS), cedula: acct(), monto: '1' };
      break;
    case 7:
      req = rng.chance(0.5) ? { id, op: rng.pick(WRONG_OPS), cedula: acct(), monto: '1' } : { id, cedula: acct(), monto: '1' };
      break;
    case 8:
      req = rng.pick<Record<string, unknown>>([
        { id, op: 'historial', cedula: rng.pick(BAD_KEYS) },
        { id, op: 'historial', cedula: acct(), limite: rng.pick([0, -1, 101, 1e9, 2.5, '5', null, [], {}, NaN]) },
        { id, op: 'consulta', cedula: rng.pick(BAD_KEYS) },
        { id, op: 'estadisticas', extra: rng.pick(SQL) },
      ]);
      break;
    default:
      // A ref on the broken request must not become an idempotency key for a later good one.
      req = { id, op: rng.pick(['depositar', 'retirar']), cedula: acct(), monto: rng.pick(BAD_AMOUNT_TEXT), ref: rng.pick(BAD_REFS) };
  }
  return { line: JSON.stringify(req), op: req.op, id };
}

function jsonInput(rng: Rng, n: number): JsonInput {
  const acct = () => rng.pick(DEMO);
  switch (rng.int(12)) {
    case 0:
      return { line: rng.garbage(200) };
    case 1: {
      // broken JSON: a request cut short (never a whole object)
      const text = jsonRequest(rng, n).line as string;
      return { line: text.slice(0, 1 + rng.int(text.length - 1)) };
    }
    case 2: {
      // broken JSON: one character of a read-only request replaced or removed
      const text = JSON.stringify({ id: `bad-${n}`, op: rng.pick(['consulta', 'historial', 'ping']), cedula: acct() });
      const at = rng.int(text.length);
      return { line: text.slice(0, at) + rng.pick(['', '"', "'", ',', '}', '{', ':', '\\', '\u0000']) + text.slice(at + 1), op: 'consulta', id: `bad-${n}` };
    }
    case 3:
      return { line: rng.pick(['{', '}', '{}}', '{"id":1,}', "{'id':1,'op':'ping'}", '{id:1,op:"ping"}', '{"id":1 "op":"ping"}', '[]', '[{"op":"ping"}]', 'null', 'true', '"depositar"', '123', '{"op":"depositar",}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"op":"ping"}{"op":"ping"}', '{"op":"ping"} x']) };
    case 4: {
      // raw number tokens JSON.parse refuses, or turns into refused amounts
      const op = rng.pick(['depositar', 'retirar']);
      return { line: `{"id":"bad-${n}","op":"${op}","cedula":"${acct()}","monto":${rng.pick(BAD_AMOUNT_RAW)}}`, op, id: `bad-${n}` };
    }
    case 5: {
      // deep nesting: in a field, and as the id (which the reply would have to echo)
      const depth = rng.pick([100, 1000, 20000]);
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      return rng.chance(0.5) ? { line: `{"id":"bad-${n}","op":"depositar","cedula":${nested},"monto":"1"}`, op: 'depositar', id: `bad-${n}` } : { line: `{"id":${nested},"op":"ping"}` };
    }
    case 6:
      // prototype tricks and duplicate keys (the last one wins, and it is bad)
      return {
        line: rng.pick([
          `{"id":"bad-${n}","op":"depositar","__proto__":{"monto":"10","cedula":"${acct()}"}}`,
          `{"id":"bad-${n}","op":"depositar","cedula":"${acct()}","constructor":{"prototype":{"monto":"10"}}}`,
          `{"id":"bad-${n}","op":"depositar","cedula":"${acct()}","monto":"10","monto":"1.001"}`,
          `{"id":"bad-${n}","op":"ping","op":"retirar","cedula":"${acct()}","monto":"-10"}`,
        ]),
        op: 'depositar',
        id: `bad-${n}`,
      };
    case 7: {
      // odd ids echo back, with a harmless op
      const id = rng.pick<unknown>([null, 0, -1.5, 1e308, '', 'x'.repeat(2000), rng.pick(SQL), rng.pick(UNICODE), '\u0000\u0007', { a: [1, { b: null }] }, [[[]]], true]);
      return { line: JSON.stringify({ id, op: 'ping' }) };
    }
    case 8:
      // escaped control characters and invalid UTF-8 inside strings
      return rng.chance(0.5)
        ? { line: `{"id":"bad-${n}","op":"depositar","cedula":"${acct()}\\u0000","monto":"10"}`, op: 'depositar', id: `bad-${n}` }
        : { line: Buffer.concat([Buffer.from(`{"id":"bad-${n}","op":"depositar","cedula":"${acct()}","monto":"1`), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('"}')]), op: 'depositar', id: `bad-${n}` };
    default:
      return jsonRequest(rng, n);
  }
}

// ---- the run ----------------------------------------------------------------------------------

/** Exception text that must never reach a client (the legacy `ERROR|` replies are fine). */
const LEAK = /(?:Type|Range|Syntax|Reference|Eval|URI)?Error:|\bat\s+[\w.<>$]+\s+\(|\n\s+at\s|node:internal|\.[jt]s:\d+|Unexpected token|Maximum call stack|SQLITE|sqlite|better-sqlite|undefined|\[object /;

interface Snapshot {
  cuentas: unknown[];
  historiales: unknown[];
  total: string;
  filas: Record<string, number>;
}

function centsOf(saldo: string): bigint {
  const [u, f] = saldo.split('.');
  return BigInt(u) * 100n + BigInt(f);
}

async function snapshot(core: Core): Promise<Snapshot> {
  const c = await TcpClient.open(core.port);
  const replies = await c.pipeline([
    ...DEMO.map((cedula) => ({ id: `c-${cedula}`, op: 'consulta', cedula })),
    ...DEMO.map((cedula) => ({ id: `h-${cedula}`, op: 'historial', cedula, limite: 100 })),
  ]);
  c.close();
  const cuentas = DEMO.map((cedula) => replies.get(`c-${cedula}`));
  const total = cuentas.reduce((sum, r) => sum + centsOf((r!.cliente as { saldo: string }).saldo), 0n);
  const db = new Database(path.join(core.dataDir, 'banco.db'), { readonly: true, fileMustExist: true });
  const filas: Record<string, number> = {};
  for (const table of ['clientes', 'transacciones', 'outbox', 'idempotencia']) filas[table] = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  db.close();
  return { cuentas, historiales: DEMO.map((cedula) => replies.get(`h-${cedula}`)), total: total.toString(), filas };
}

function expectNoLeak(reply: string): void {
  expect({ reply, leak: LEAK.test(reply) }).toEqual({ reply, leak: false });
}

/** A bad legacy command is refused with `ERROR|…`; only reads (CONSULTA, HISTORIAL, STATS) may answer `OK|…`. */
function expectLegacyRefusalOrRead(input: string | Buffer, reply: string): void {
  const command = toBuffer(input).toString().trim().split(/\s+/)[0].toUpperCase();
  const readOnly = ['CONSULTA', 'HISTORIAL', 'STATS'].includes(command);
  if (!reply.startsWith('ERROR|')) expect({ input: input.toString(), reply, readOnly }).toEqual({ input: input.toString(), reply, readOnly: true });
}

/** Runs `tasks` with at most `width` at once. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

const toBuffer = (input: string | Buffer) => (typeof input === 'string' ? Buffer.from(input) : input);

/** Legacy: a connection pipelines newline-terminated bad lines; every reply is an error or a read. */
async function legacyPipelined(core: Core, inputs: Array<string | Buffer>): Promise<string[]> {
  const c = await TcpClient.open(core.port);
  c.write('CONSULTA 1315151515\n'); // picks legacy mode before any input can start with `{`
  expect(await c.readLine()).toMatch(/^OK\|Juan\|/);
  c.write(Buffer.concat(inputs.flatMap((i) => [toBuffer(i), Buffer.from('\n')])));
  const replies: string[] = [];
  for (let i = 0; i < inputs.length; i++) replies.push(await c.readLine());
  c.close();
  return replies;
}

/** Legacy: one bad command per write with no newline, each reply awaited before the next write. */
async function legacyBare(core: Core, inputs: Array<string | Buffer>): Promise<string[]> {
  const c = await TcpClient.open(core.port);
  c.socket.setNoDelay(true);
  // Newline-less from the first command on: after a newline, only newlines would end commands.
  c.write('CONSULTA 1315151515');
  expect(await c.readQuiet(40)).toMatch(/^OK\|Juan\|Pérez García\|[0-9]+\.[0-9]{2}$/);
  const replies: string[] = [];
  for (const input of inputs) {
    c.write(toBuffer(input));
    const reply = await c.readQuiet(40);
    expect({ input: input.toString(), newline: reply.includes('\n') }).toEqual({ input: input.toString(), newline: false });
    replies.push(reply);
  }
  c.close();
  return replies;
}

/** JSON: a connection pipelines bad lines; every line gets exactly one reply. */
async function jsonPipelined(core: Core, inputs: JsonInput[]): Promise<Reply[]> {
  const c = await TcpClient.open(core.port);
  c.write('{"id":"hola","op":"ping"}\n');
  expect(JSON.parse(await c.readLine())).toEqual({ id: 'hola', ok: true, pong: true });
  c.write(Buffer.concat(inputs.flatMap((i) => [toBuffer(i.line), Buffer.from('\n')])));
  const replies: Reply[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const text = await c.readLine();
    expectNoLeak(text);
    replies.push(JSON.parse(text) as Reply);
  }
  c.close();
  return replies;
}

/** A line over 64 KiB: one error line, then the server closes. */
async function hugeLine(core: Core, mode: 'legacy' | 'json', newline: boolean): Promise<string> {
  const c = await TcpClient.open(core.port);
  const body = mode === 'json' ? `{"id":1,"op":"depositar","cedula":"1315151515","monto":"1","x":"${'9'.repeat(70 * 1024)}"}` : `AUMENTAR 1315151515 ${'9'.repeat(70 * 1024)}`;
  c.write(body + (newline ? '\n' : ''));
  const reply = await c.readLine();
  await c.waitClosed();
  return reply;
}

describe('bad input', () => {
  let core: Core;
  let before: Snapshot;

  beforeAll(async () => {
    core = await startTestCore();
    // Some history first, so "history unchanged" compares something.
    const c = await TcpClient.open(core.port);
    await c.pipeline([
      { id: 1, op: 'depositar', cedula: '1315151515', monto: '10.10' },
      { id: 2, op: 'retirar', cedula: '1720304050', monto: '0.75' },
      { id: 3, op: 'transferir', origen: '1350509525', destino: '0912345678', monto: '49.75' },
      { id: 4, op: 'depositar', cedula: '0987654321', monto: '9.50', ref: 'semilla-1' },
    ]);
    c.close();
    before = await snapshot(core);
  });

  afterAll(async () => {
    await core.stop();
  });

  test('1,000 generated bad inputs over both protocols change nothing, crash nothing and leak no exception text', async () => {
    const rng = new Rng(SEED);
    const huge = 6;
    const legacyBareCount = 60;
    const legacyLineCount = 440 - huge / 2;
    const jsonCount = INPUTS_TOTAL - huge - legacyBareCount - legacyLineCount;
    const legacyLines = Array.from({ length: legacyLineCount }, () => legacyInput(rng));
    const legacyBareInputs = Array.from({ length: legacyBareCount }, () => legacyInput(rng)).map((i) => (toBuffer(i).toString().trim() === '' ? 'x' + i.toString() : i));
    const jsonInputs = Array.from({ length: jsonCount }, (_, n) => jsonInput(rng, n));
    expect(legacyLines.length + legacyBareInputs.length + jsonInputs.length + huge).toBe(INPUTS_TOTAL);

    const jsonCodes = new Set<string>();
    const legacyReplies = new Set<string>();
    const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
    const tasks: Array<() => Promise<void>> = [
      ...chunks(legacyLines, PIPELINE).map((inputs) => async () => {
        const replies = await legacyPipelined(core, inputs);
        replies.forEach((reply, i) => {
          legacyReplies.add(reply.startsWith('OK|') ? 'OK' : reply);
          expectNoLeak(reply);
          expectLegacyRefusalOrRead(inputs[i], reply);
        });
      }),
      ...chunks(legacyBareInputs, 10).map((inputs) => async () => {
        const replies = await legacyBare(core, inputs);
        replies.forEach((reply, i) => {
          expectNoLeak(reply);
          expectLegacyRefusalOrRead(inputs[i], reply);
        });
      }),
      ...chunks(jsonInputs, PIPELINE).map((inputs) => async () => {
        const replies = await jsonPipelined(core, inputs);
        for (const reply of replies) {
          jsonCodes.add((reply.error as { code?: string } | undefined)?.code ?? 'ok');
          expect(reply).toHaveProperty('ok');
          if (reply.ok === false) expect(reply.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
          // Only reads may succeed: no movement (transaccion_id) and no new account (cliente outside the demo set).
          const cliente = reply.cliente as { cedula?: string } | undefined;
          if (reply.ok === true) expect({ reply, moved: 'transaccion_id' in reply, created: cliente !== undefined && !DEMO.includes(cliente.cedula ?? '') }).toMatchObject({ moved: false, created: false });
        }
      }),
    ];
    // Huge lines go last, one at a time: without a newline, legacy framing tells a pause from the
    // end of a command only by time, and this process also runs the clients, so load here could
    // stretch the gap between the pieces of one write past the wait for the rest of a split command.
    const hugeTasks: Array<() => Promise<void>> = [
      ...(['legacy', 'json'] as const).flatMap((mode) =>
        [true, false].map((newline) => async () => {
          const reply = await hugeLine(core, mode, newline);
          expectNoLeak(reply);
          if (mode === 'legacy') expect(reply).toBe('ERROR|Línea demasiado larga');
          else expect(JSON.parse(reply)).toMatchObject({ id: null, ok: false, error: { code: 'LINEA_DEMASIADO_LARGA' } });
        }),
      ),
      async () => {
        // a huge run of garbage without newline, in legacy mode
        const c = await TcpClient.open(core.port);
        c.write('STATS\n');
        await c.readLine();
        c.write(Buffer.concat(Array.from({ length: 140 }, () => rng.garbage(1024))).subarray(0, 70 * 1024)); // garbage() never holds a newline
        expect(await c.readLine()).toBe('ERROR|Línea demasiado larga');
        await c.waitClosed();
      },
      async () => {
        // a huge JSON line starting the connection, split over many writes
        const c = await TcpClient.open(core.port);
        for (let i = 0; i < 70; i++) c.write('{' + 'x'.repeat(1023));
        expect(JSON.parse(await c.readLine())).toMatchObject({ id: null, error: { code: 'LINEA_DEMASIADO_LARGA' } });
        await c.waitClosed();
      },
    ];
    await inParallel(tasks, 8);
    await inParallel(hugeTasks, 1);

    // The generator reaches every rule, not just the parser.
    expect([...jsonCodes].sort()).toEqual(
      expect.arrayContaining(['CEDULA_INVALIDA', 'CLIENTE_NO_ENCONTRADO', 'CLIENTE_YA_EXISTE', 'JSON_INVALIDO', 'MISMA_CUENTA', 'MONTO_INVALIDO', 'OP_DESCONOCIDA', 'PARAMETRO_INVALIDO', 'SALDO_INSUFICIENTE']),
    );
    expect(
      [
        'ERROR|Comando no reconocido o parámetros incorrectos', 'ERROR|Comando vacío', 'ERROR|Formato de monto inválido', 'ERROR|El monto debe ser positivo', 'ERROR|El monto excede el máximo permitido',
        'ERROR|Cliente no encontrado', 'ERROR|Cliente ya existe', 'ERROR|Debe proporcionar al menos nombre y apellido', 'ERROR|Cédula inválida', 'ERROR|No se puede transferir a la misma cuenta',
        'ERROR|Cuenta origen no existe', 'ERROR|Cuenta destino no existe', 'ERROR|Saldo insuficiente en cuenta origen',
      ].filter((reply) => !legacyReplies.has(reply)),
    ).toEqual([]);

    expect(await snapshot(core)).toEqual(before);
  });

  test('afterwards the process still serves good requests over both protocols', async () => {
    const j = await TcpClient.open(core.port);
    expect(await j.json({ id: 1, op: 'ping' })).toEqual({ id: 1, ok: true, pong: true });
    expect(await j.json({ id: 2, op: 'depositar', cedula: '1104567890', monto: '1.00' })).toMatchObject({ ok: true, saldo_nuevo: '3201.00' });
    j.close();
    const l = await TcpClient.open(core.port);
    expect(await l.command('CONSULTA 1104567890')).toBe('OK|Ana María|González Torres|3201.00');
    expect(await l.command('SALIR')).toBe('OK|Hasta pronto');
    l.close();
  });
});
