/**
 * Golden tests of the legacy text protocol (CONTRACT §3): every command and every error reply,
 * byte for byte, in both framing styles — newline-terminated (the reply ends in `\n`) and one
 * write with no newline (the reply has no trailing newline). Each golden script runs against a
 * fresh core with the demo data and a frozen clock.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { HubError } from '../../core/errors';
import { BANNER } from '../../core/protocol/connection';
import { LEGACY } from '../../core/protocol/legacy-text';
import { fixedClock, startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;
type Step = [command: string, reply: string];

/** `2026-01-15T10:30:00` local time, as the legacy history prints it. */
const CLOCK_ISO = '2026-01-15T10:30:00';
const FECHA = '2026-01-15 10:30:00';

interface Framing {
  name: string;
  /** What the reply ends with. */
  end: string;
  /** Sends one command and resolves to the bytes of its reply. */
  send(c: TcpClient, command: string, timeoutMs?: number): Promise<string>;
}

const WITH_NEWLINE: Framing = {
  name: 'newline-terminated commands',
  end: '\n',
  async send(c, command, timeoutMs = 5000) {
    c.write(command + '\n');
    return (await c.readLine(timeoutMs)) + '\n';
  },
};

const WITHOUT_NEWLINE: Framing = {
  name: 'one write per command, no newline',
  end: '',
  async send(c, command, timeoutMs = 5000) {
    c.write(command);
    return c.readQuiet(40, timeoutMs);
  },
};

const FRAMINGS = [WITH_NEWLINE, WITHOUT_NEWLINE];

// ---- golden replies ------------------------------------------------------------------------

const E = {
  vacio: 'ERROR|Comando vacío',
  noReconocido: 'ERROR|Comando no reconocido o parámetros incorrectos',
  formatoMonto: 'ERROR|Formato de monto inválido',
  montoPositivo: 'ERROR|El monto debe ser positivo',
  montoMaximo: 'ERROR|El monto excede el máximo permitido',
  noEncontrado: 'ERROR|Cliente no encontrado',
  yaExiste: 'ERROR|Cliente ya existe',
  nombreApellido: 'ERROR|Debe proporcionar al menos nombre y apellido',
  origenNoExiste: 'ERROR|Cuenta origen no existe',
  destinoNoExiste: 'ERROR|Cuenta destino no existe',
  saldoOrigen: 'ERROR|Saldo insuficiente en cuenta origen',
  cedulaInvalida: 'ERROR|Cédula inválida',
  mismaCuenta: 'ERROR|No se puede transferir a la misma cuenta',
  limiteSaldo: 'ERROR|El saldo resultante excede el máximo permitido',
  demasiadas: 'ERROR|Demasiadas solicitudes, intente más tarde',
  lineaLarga: 'ERROR|Línea demasiado larga',
  noDisponible: 'ERROR|Servicio no disponible, intente de nuevo',
  resultadoIncierto: 'ERROR|No se sabe si la operación se aplicó; consulte su saldo antes de repetirla',
  interno: 'ERROR|Error interno',
  deshabilitado: 'ERROR|Protocolo de texto deshabilitado; use JSON lines',
} as const;

/** Twelve deposits of 1.00 … 12.00 into Stefano Aguilar (5000.00), then HISTORIAL: the last 10, newest first. */
function historyOfTwelveDeposits(): Step[] {
  const steps: Step[] = [];
  let saldo = 500000;
  const rows: string[] = [];
  for (let i = 1; i <= 12; i++) {
    saldo += i * 100;
    const saldoText = `${saldo / 100}.00`;
    steps.push([`AUMENTAR 1350509525 ${i}`, `OK|Depósito exitoso|${saldoText}`]);
    rows.unshift(`DEPOSITO|${i}.00|${saldoText}|${FECHA}`);
  }
  steps.push(['HISTORIAL 1350509525', `OK|${rows.slice(0, 10).join('|')}`]);
  return steps;
}

const GOLDEN: Array<[name: string, steps: Step[]]> = [
  ['CONSULTA answers names, surnames and the balance with two decimals', [
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1500.00'],
    ['CONSULTA 1720304050', 'OK|María Elena|Rodríguez López|2350.75'],
    ['CONSULTA 0987654321', 'OK|Pedro José|Martínez Silva|890.50'],
  ]],
  ['the command word is case-insensitive', [
    ['consulta 1315151515', 'OK|Juan|Pérez García|1500.00'],
    ['CoNsUlTa 0912345678', 'OK|Luis Alberto|Fernández Ruiz|450.25'],
    ['aumentar 1315151515 1', 'OK|Depósito exitoso|1501.00'],
    ['Disminuir 1315151515 1', 'OK|Retiro exitoso|1500.00'],
    ['stats', 'OK|Clientes conectados: 1|Transacciones: 2|IPs activas: 1'],
  ]],
  // CONTRACT §3: words are separated by spaces; a tab is no separator (it would split a name in CREAR).
  ['words may be separated by several spaces or tabs, as the old server split them', [['CONSULTA   1315151515', 'OK|Juan|Pérez García|1500.00'], ['AUMENTAR\t1315151515\t1', 'OK|Depósito exitoso|1501.00']]],
  ['a tab in CREAR is refused rather than stored as a space in the names', [['CREAR 1712345675 Ana\tMaría López', E.noReconocido], ['CONSULTA 1712345675', E.noEncontrado]]],
  ['AUMENTAR deposits and answers the new balance', [
    ['AUMENTAR 1315151515 100.5', 'OK|Depósito exitoso|1600.50'],
    ['AUMENTAR 1315151515 0.01', 'OK|Depósito exitoso|1600.51'],
    ['AUMENTAR 1315151515 1000000', 'OK|Depósito exitoso|1001600.51'],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1001600.51'],
  ]],
  ['DISMINUIR withdraws and answers the new balance, down to exactly zero', [
    ['DISMINUIR 1315151515 500', 'OK|Retiro exitoso|1000.00'],
    ['DISMINUIR 0912345678 450.25', 'OK|Retiro exitoso|0.00'],
    ['CONSULTA 0912345678', 'OK|Luis Alberto|Fernández Ruiz|0.00'],
  ]],
  ['CREAR splits an even number of words in half: first half nombres, second half apellidos', [
    ['CREAR 1712345675 Ana Lucía Torres Vega', 'OK|Cliente creado exitosamente|Ana Lucía|Torres Vega|0.00'],
    ['CONSULTA 1712345675', 'OK|Ana Lucía|Torres Vega|0.00'],
  ]],
  ['CREAR with two words gives one nombre and one apellido', [['CREAR 0900000019 Ana Torres', 'OK|Cliente creado exitosamente|Ana|Torres|0.00']]],
  ['CREAR with an odd number of words gives the extra word to apellidos', [
    ['CREAR 0900000019 Juan Carlos Pérez', 'OK|Cliente creado exitosamente|Juan|Carlos Pérez|0.00'],
    ['CREAR 1712345675 José María de la Torre', 'OK|Cliente creado exitosamente|José María|de la Torre|0.00'],
  ]],
  ['a created account takes deposits, withdrawals and transfers', [
    ['CREAR 1712345675 Ana Torres', 'OK|Cliente creado exitosamente|Ana|Torres|0.00'],
    ['AUMENTAR 1712345675 20', 'OK|Depósito exitoso|20.00'],
    ['DISMINUIR 1712345675 5.5', 'OK|Retiro exitoso|14.50'],
    ['TRANSFERIR 1712345675 1315151515 14.50', 'OK|Transferencia exitosa|0.00|1514.50'],
  ]],
  ['TRANSFERIR moves money and answers both new balances', [
    ['TRANSFERIR 1350509525 1315151515 250.25', 'OK|Transferencia exitosa|4749.75|1750.25'],
    ['CONSULTA 1350509525', 'OK|Stefano|Aguilar|4749.75'],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1750.25'],
  ]],
  ['HISTORIAL of an account without movements says Sin transacciones', [['HISTORIAL 1104567890', 'OK|Sin transacciones']]],
  ['HISTORIAL lists the last 10 movements, newest first, with the legacy timestamp', historyOfTwelveDeposits()],
  ['HISTORIAL shows each side of a transfer and withdrawals', [
    ['TRANSFERIR 1350509525 1104567890 100', 'OK|Transferencia exitosa|4900.00|3300.00'],
    ['DISMINUIR 1350509525 0.5', 'OK|Retiro exitoso|4899.50'],
    ['HISTORIAL 1350509525', `OK|RETIRO|0.50|4899.50|${FECHA}|TRANSFERENCIA_ENVIADA|100.00|4900.00|${FECHA}`],
    ['HISTORIAL 1104567890', `OK|TRANSFERENCIA_RECIBIDA|100.00|3300.00|${FECHA}`],
  ]],
  ['STATS counts this connection, committed history rows and active addresses', [
    ['STATS', 'OK|Clientes conectados: 1|Transacciones: 0|IPs activas: 1'],
    ['AUMENTAR 1315151515 1', 'OK|Depósito exitoso|1501.00'],
    ['TRANSFERIR 1315151515 1350509525 1', 'OK|Transferencia exitosa|1500.00|5001.00'],
    ['STATS', 'OK|Clientes conectados: 1|Transacciones: 3|IPs activas: 1'],
  ]],
  // ---- errors ----
  ['an unknown command word is not recognised', [['FOO 1315151515', E.noReconocido], ['DEPOSITAR 1315151515 10', E.noReconocido], ['SELECT * FROM clientes', E.noReconocido]]],
  ['a command with the wrong number of words is not recognised', [
    ['CONSULTA', E.noReconocido],
    ['CONSULTA 1315151515 extra', E.noReconocido],
    ['AUMENTAR 1315151515', E.noReconocido],
    ['DISMINUIR 1315151515 1 2', E.noReconocido],
    ['TRANSFERIR 1315151515 1350509525', E.noReconocido],
    ['HISTORIAL', E.noReconocido],
    ['STATS now', E.noReconocido],
    ['SALIR ya', E.noReconocido],
    ['CREAR', E.noReconocido],
  ]],
  ['a blank command is empty', [['   ', E.vacio], ['\t', E.vacio]]],
  ['an amount that is not a plain decimal with up to two decimals has an invalid format', [
    ['AUMENTAR 1315151515 abc', E.formatoMonto],
    ['AUMENTAR 1315151515 1.234', E.formatoMonto],
    ['AUMENTAR 1315151515 1,5', E.formatoMonto],
    ['AUMENTAR 1315151515 1e3', E.formatoMonto],
    ['DISMINUIR 1315151515 NaN', E.formatoMonto],
    ['DISMINUIR 1315151515 Infinity', E.formatoMonto],
    ['TRANSFERIR 1315151515 1350509525 +5', E.formatoMonto],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1500.00'],
  ]],
  ['a zero or negative amount must be positive', [
    ['AUMENTAR 1315151515 0', E.montoPositivo],
    ['AUMENTAR 1315151515 0.00', E.montoPositivo],
    ['DISMINUIR 1315151515 -5', E.montoPositivo],
    ['TRANSFERIR 1315151515 1350509525 -0.01', E.montoPositivo],
  ]],
  ['an amount above the configured maximum is refused', [
    ['AUMENTAR 1315151515 1000000.01', E.montoMaximo],
    ['TRANSFERIR 1350509525 1315151515 99999999', E.montoMaximo],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1500.00'],
  ]],
  ['an unknown or malformed account is not found', [
    ['CONSULTA 1712345675', E.noEncontrado],
    ['CONSULTA abc', E.noEncontrado],
    ['AUMENTAR 1712345675 10', E.noEncontrado],
    ['DISMINUIR 1712345675 10', E.noEncontrado],
    ['HISTORIAL 1712345675', E.noEncontrado],
    ["CONSULTA 1'OR'1'='1", E.noEncontrado],
  ]],
  ['a withdrawal above the balance is refused with the current balance', [
    ['DISMINUIR 0912345678 450.26', 'ERROR|Saldo insuficiente|450.25'],
    ['DISMINUIR 0912345678 1000', 'ERROR|Saldo insuficiente|450.25'],
    ['CONSULTA 0912345678', 'OK|Luis Alberto|Fernández Ruiz|450.25'],
  ]],
  ['CREAR of an existing cédula says the client exists', [['CREAR 1350509525 Otro Nombre', E.yaExiste], ['CONSULTA 1350509525', 'OK|Stefano|Aguilar|5000.00']]],
  ['CREAR needs at least a nombre and an apellido', [['CREAR 1712345675', E.nombreApellido], ['CREAR 1712345675 Ana', E.nombreApellido]]],
  ['CREAR refuses a cédula with a wrong check digit, province, third digit or length', [
    ['CREAR 1712345674 Ana Torres', E.cedulaInvalida],
    ['CREAR 2512345670 Ana Torres', E.cedulaInvalida],
    ['CREAR 1762345675 Ana Torres', E.cedulaInvalida],
    ['CREAR 171234567 Ana Torres', E.cedulaInvalida],
    ['CREAR abcdefghij Ana Torres', E.cedulaInvalida],
    ['CONSULTA 1712345674', E.noEncontrado],
  ]],
  ['CREAR refuses names with the reply separator', [['CREAR 1712345675 Ana|X Torres', E.noReconocido], ['CONSULTA 1712345675', E.noEncontrado]]],
  ['TRANSFERIR names which account does not exist', [
    ['TRANSFERIR 1712345675 1315151515 10', E.origenNoExiste],
    ['TRANSFERIR 1315151515 1712345675 10', E.destinoNoExiste],
    ['TRANSFERIR abc 1315151515 10', E.origenNoExiste],
    ['TRANSFERIR 1315151515 abc 10', E.destinoNoExiste],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1500.00'],
  ]],
  ['TRANSFERIR above the origin balance is refused', [
    ['TRANSFERIR 0912345678 1315151515 450.26', E.saldoOrigen],
    ['CONSULTA 0912345678', 'OK|Luis Alberto|Fernández Ruiz|450.25'],
    ['CONSULTA 1315151515', 'OK|Juan|Pérez García|1500.00'],
  ]],
  ['TRANSFERIR to the same account is refused', [['TRANSFERIR 1315151515 1315151515 10', E.mismaCuenta], ['HISTORIAL 1315151515', 'OK|Sin transacciones']]],
];

/** Every legacy reply the golden tests check, for the coverage test against LEGACY. */
const CHECKED_REPLIES = new Set<string>([...GOLDEN.flatMap(([, steps]) => steps.map(([, reply]) => reply))]);

async function openAt(core: Core): Promise<TcpClient> {
  const c = await TcpClient.open(core.port);
  c.socket.setNoDelay(true);
  return c;
}

describe.each(FRAMINGS)('legacy text protocol with $name', (framing) => {
  let core: Core;
  let client: TcpClient;

  beforeEach(async () => {
    core = await startTestCore({}, fixedClock(CLOCK_ISO));
    client = await openAt(core);
  });

  afterEach(async () => {
    client.close();
    await core.stop();
  });

  test.each(GOLDEN)('%s', async (_name, steps) => {
    for (const [command, reply] of steps) {
      expect({ command, reply: await framing.send(client, command) }).toEqual({ command, reply: reply + framing.end });
    }
  });

  test('SALIR says goodbye and the server closes the connection', async () => {
    expect(await framing.send(client, 'SALIR')).toBe('OK|Hasta pronto' + framing.end);
    await client.waitClosed();
  });

  test('salir in lower case also closes the connection', async () => {
    expect(await framing.send(client, 'salir')).toBe('OK|Hasta pronto' + framing.end);
    await client.waitClosed();
  });

  test('one connection serves many commands one after another', async () => {
    for (let i = 1; i <= 30; i++) expect(await framing.send(client, 'AUMENTAR 1104567890 1')).toBe(`OK|Depósito exitoso|${3200 + i}.00${framing.end}`);
    expect(await framing.send(client, 'CONSULTA 1104567890')).toBe(`OK|Ana María|González Torres|3230.00${framing.end}`);
  });
});

describe('legacy text framing', () => {
  let core: Core;

  beforeEach(async () => {
    core = await startTestCore({}, fixedClock(CLOCK_ISO));
  });

  afterEach(async () => {
    await core.stop();
  });

  test('the server greets with the exact banner bytes on connect', async () => {
    const c = await TcpClient.connect(core.port);
    expect(BANNER).toBe('BIENVENIDO|Sistema Bancario Distribuido v1.0\n');
    expect(await c.readQuiet(60)).toBe('BIENVENIDO|Sistema Bancario Distribuido v1.0\n');
    c.close();
  });

  test('several newline-terminated commands in one write are answered in order', async () => {
    const c = await openAt(core);
    c.write('CONSULTA 1315151515\nAUMENTAR 1315151515 10\nCONSULTA 1315151515\nSTATS\n');
    expect(await c.readLine()).toBe('OK|Juan|Pérez García|1500.00');
    expect(await c.readLine()).toBe('OK|Depósito exitoso|1510.00');
    expect(await c.readLine()).toBe('OK|Juan|Pérez García|1510.00');
    expect(await c.readLine()).toBe('OK|Clientes conectados: 1|Transacciones: 1|IPs activas: 1');
    c.close();
  });

  test('after a newline, a last command without one waits for its newline', async () => {
    const c = await openAt(core);
    c.write('CONSULTA 1315151515\nCONSULTA 1350509525');
    expect(await c.readQuiet(80)).toBe('OK|Juan|Pérez García|1500.00\n');
    c.write('\n');
    expect(await c.readLine()).toBe('OK|Stefano|Aguilar|5000.00');
    c.close();
  });

  test('a last command without newline runs when the client ends the stream, and its reply has no newline', async () => {
    const c = await openAt(core);
    c.write('CONSULTA 1315151515\nCONSULTA 1350509525');
    c.socket.end();
    expect(await c.readQuiet(80)).toBe('OK|Juan|Pérez García|1500.00\nOK|Stefano|Aguilar|5000.00');
    c.close();
  });

  test('a command split across two writes, with the newline at the end of the second, is one command', async () => {
    const c = await openAt(core);
    c.write('CONSULTA ');
    await new Promise((r) => setTimeout(r, 5));
    c.write('1315151515\n');
    expect(await c.readQuiet(80)).toBe('OK|Juan|Pérez García|1500.00\n');
    c.close();
  });

  test('a multi-byte character split across writes survives', async () => {
    const c = await openAt(core);
    const bytes = Buffer.from('CREAR 1712345675 Ana Muñoz\n');
    const cut = bytes.indexOf(Buffer.from('ñ')) + 1;
    c.write(bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 5));
    c.write(bytes.subarray(cut));
    expect(await c.readLine()).toBe('OK|Cliente creado exitosamente|Ana|Muñoz|0.00');
    c.close();
  });

  test('an empty line is an empty command', async () => {
    const c = await openAt(core);
    expect(await c.command('')).toBe(E.vacio);
    expect(await c.command('CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00');
    c.close();
  });

  test('commands written after SALIR in the same write are not run', async () => {
    const c = await openAt(core);
    c.write('SALIR\nAUMENTAR 1315151515 10\n');
    expect(await c.readQuiet(80)).toBe('OK|Hasta pronto\n');
    await c.waitClosed();
    const d = await openAt(core);
    expect(await d.command('CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00');
    d.close();
  });
});

/** Replies that need a particular configuration or a broken database. */
describe.each(FRAMINGS)('legacy error replies that need a special core, with $name', (framing) => {
  const cores: Core[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const core = await startTestCore(env, fixedClock(CLOCK_ISO));
    cores.push(core);
    return core;
  };

  afterEach(async () => {
    await Promise.all(cores.splice(0).map((c) => c.stop()));
  });

  test('a deposit that would push the balance over the maximum balance is refused', async () => {
    const core = await start({ BANCO_MONTO_MAXIMO: '9999999999999.99' });
    const c = await openAt(core);
    expect(await framing.send(c, 'AUMENTAR 1350509525 9999999999999.99')).toBe(E.limiteSaldo + framing.end);
    expect(await framing.send(c, 'AUMENTAR 1350509525 9999999994999.99')).toBe('OK|Depósito exitoso|9999999999999.99' + framing.end);
    expect(await framing.send(c, 'TRANSFERIR 1315151515 1350509525 0.01')).toBe(E.limiteSaldo + framing.end);
    expect(await framing.send(c, 'CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00' + framing.end);
    c.close();
  });

  test('a connection over its request rate is told to slow down', async () => {
    const core = await start({ BANCO_REQUESTS_PER_SECOND_MAX: '1', BANCO_REQUESTS_BURST_MAX: '1' });
    const c = await openAt(core);
    expect(await framing.send(c, 'CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00' + framing.end);
    expect(await framing.send(c, 'AUMENTAR 1315151515 10')).toBe(E.demasiadas + framing.end);
    c.close();
    const d = await openAt(core);
    expect(await d.command('CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00');
    d.close();
  });

  test('a line over 64 KiB is refused with a newline-terminated error and the connection closes', async () => {
    const core = await start();
    const c = await openAt(core);
    c.write('CONSULTA ' + '1'.repeat(70 * 1024) + framing.end);
    expect(await c.readQuiet(80)).toBe(E.lineaLarga + '\n');
    await c.waitClosed();
    c.close();
  });

  test('a movement whose commit outcome the store could not learn answers its own line, not "try again"', async () => {
    // Faked store answer; the real fault (a MySQL connection cut after COMMIT) is in
    // test/store/mysql-faults.test.ts.
    const core = await start();
    const c = await openAt(core);
    jest.spyOn(core.store, 'commitBatch').mockRejectedValueOnce(new HubError('RESULTADO_INCIERTO'));
    expect(await framing.send(c, 'DISMINUIR 1315151515 1')).toBe(E.resultadoIncierto + framing.end);
  });

  test('a database held locked by another process makes a write answer service unavailable', async () => {
    const core = await start();
    const c = await openAt(core);
    const locker = new Database(path.join(core.dataDir, 'banco.db'));
    locker.exec('BEGIN IMMEDIATE');
    try {
      // The core waits out SQLite's busy timeout (5 s), then gives up without changing anything.
      expect(await framing.send(c, 'AUMENTAR 1315151515 10', 15000)).toBe(E.noDisponible + framing.end);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect(await framing.send(c, 'CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00' + framing.end);
    c.close();
  });

  test('a database that is gone answers an internal error without exception text', async () => {
    const core = await start();
    const c = await openAt(core);
    await core.store.close();
    expect(await framing.send(c, 'CONSULTA 1315151515')).toBe(E.interno + framing.end);
    c.close();
  });

  test('with the legacy protocol switched off a text command is refused and the connection closes', async () => {
    const core = await start({ BANCO_LEGACY_TEXT: 'off' });
    const c = await TcpClient.connect(core.port);
    expect(await c.readLine()).toBe('BIENVENIDO|Sistema Bancario Distribuido v1.0');
    c.write('CONSULTA 1315151515' + framing.end);
    expect(await c.readQuiet(60)).toBe(E.deshabilitado + '\n');
    await c.waitClosed();
  });

  test('a connection past the connection limit is refused politely', async () => {
    const core = await start({ BANCO_CONNECTIONS_MAX: '1' });
    const first = await openAt(core);
    const second = await TcpClient.connect(core.port);
    expect(await second.readQuiet(60)).toBe('ERROR|Demasiadas conexiones\n');
    await second.waitClosed();
    expect(await framing.send(first, 'CONSULTA 1315151515')).toBe('OK|Juan|Pérez García|1500.00' + framing.end);
    first.close();
  });
});

test('the golden tests cover every reply in the legacy reply table', () => {
  const special = [E.limiteSaldo, E.demasiadas, E.lineaLarga, E.noDisponible, E.resultadoIncierto, E.interno, E.deshabilitado];
  const checked = new Set([...CHECKED_REPLIES, ...special]);
  expect(Object.values(LEGACY).filter((reply) => !checked.has(reply))).toEqual([]);
  expect(Object.values(E).sort()).toEqual(Object.values(LEGACY).sort());
});
