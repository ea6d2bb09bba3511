/**
 * The ledger's transaction on MySQL/MariaDB. A batch locks the accounts it touches with one
 * `SELECT … ORDER BY cedula FOR UPDATE` — the same global lock order in every process, so batches
 * from several core processes serialize per account without deadlocking — then writes every
 * change with multi-row statements (its outbox rows included) and commits once. DECIMAL values
 * travel as strings and are converted to cents exactly.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { HubError } from '../../errors';
import { decimalTextToCents, formatCents } from '../../ledger/money';
import type { Cambios, CuentaVersionada, Instantanea, Operacion, RefGuardada, Resultado } from '../../ledger/types';
import type { BatchRules } from '../store';
import { isRetriable, toHubError, type MysqlDb } from './connection';
import { commitMarker, lookUpCommit, outcomeUnknown } from './lost-commit';
import { appendRows } from './outbox/append-rows';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What commitBatch knows of one attempt, kept for the case its COMMIT is lost. */
interface Attempt {
  threadId: number | null;
  resultados: Resultado[];
  cambios: Cambios | null;
  committing: boolean;
}

export async function commitBatch(db: MysqlDb, ops: readonly Operacion[], rules: BatchRules): Promise<Resultado[]> {
  for (let retry = 0; ; retry++) {
    const attempt: Attempt = { threadId: null, resultados: [], cambios: null, committing: false };
    try {
      return await db.withConnection((conn) => transaction(conn, ops, rules, attempt));
    } catch (err) {
      if (attempt.committing) return resolveLostCommit(db, attempt, err);
      if (isRetriable(err) && retry >= db.retriesMax) throw new HubError('NO_DISPONIBLE', 'Demasiada contención, intente de nuevo', { cause: err, batchWide: true });
      if (!isRetriable(err)) throw toHubError(err);
      await sleep(Math.random() * 2 ** retry * 4);
    }
  }
}

async function transaction(conn: PoolConnection, ops: readonly Operacion[], rules: BatchRules, attempt: Attempt): Promise<Resultado[]> {
  attempt.threadId = conn.threadId;
  await conn.query('START TRANSACTION');
  const { resultados, cambios } = rules.apply(await snapshot(conn, ops, rules), ops);
  await write(conn, cambios);
  Object.assign(attempt, { resultados, cambios, committing: true });
  await conn.query('COMMIT');
  return resultados;
}

/**
 * COMMIT failed without a clear answer: committed → the batch's real results; not committed →
 * NO_DISPONIBLE (a retry is safe); cannot tell → RESULTADO_INCIERTO, never "try again".
 */
async function resolveLostCommit(db: MysqlDb, attempt: Attempt, lost: unknown): Promise<Resultado[]> {
  const marker = attempt.cambios && commitMarker(attempt.cambios);
  if (!marker) return attempt.resultados; // nothing written: the answers hold either way
  let committed: boolean;
  try {
    committed = await db.withConnection((conn) => lookUpCommit(conn, marker, attempt.threadId));
  } catch (lookUp) {
    throw outcomeUnknown(lost, lookUp);
  }
  if (committed) return attempt.resultados;
  throw new HubError('NO_DISPONIBLE', undefined, { cause: lost });
}

async function snapshot(conn: PoolConnection, ops: readonly Operacion[], rules: BatchRules): Promise<Instantanea> {
  const keys = rules.keys(ops);
  const cuentas = new Map<string, CuentaVersionada>();
  const refs = new Map<string, RefGuardada>();
  if (keys.cuentas.length > 0) {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT cedula, nombres, apellidos, saldo, version FROM clientes WHERE cedula IN (?) ORDER BY cedula FOR UPDATE', [keys.cuentas]);
    for (const r of rows) cuentas.set(r.cedula, { cedula: r.cedula, nombres: r.nombres, apellidos: r.apellidos, saldo: decimalTextToCents(r.saldo), version: Number(r.version) });
  }
  if (keys.refs.length > 0) {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT ref, huella, resultado FROM idempotencia WHERE ref IN (?)', [keys.refs]);
    for (const r of rows) refs.set(r.ref, { huella: r.huella, resultado: JSON.parse(r.resultado) as Resultado });
  }
  return { cuentas, refs };
}

async function write(conn: PoolConnection, c: Cambios): Promise<void> {
  if (c.nuevas.length > 0) {
    const rows = c.nuevas.map((a) => [a.cedula, a.nombres, a.apellidos, formatCents(a.saldo), a.fecha, a.fecha, a.pinHash]);
    await conn.query('INSERT INTO clientes (cedula, nombres, apellidos, saldo, fecha_registro, ultima_actualizacion, pin_hash) VALUES ?', [rows]);
  }
  if (c.saldos.size > 0) {
    const cases = [...c.saldos].map(() => 'WHEN ? THEN ?').join(' ');
    const saldos = [...c.saldos].flatMap(([cedula, v]) => [cedula, formatCents(v.saldo)]);
    const versiones = [...c.saldos].flatMap(([cedula, v]) => [cedula, v.version]);
    await conn.query(`UPDATE clientes SET saldo = CASE cedula ${cases} END, version = CASE cedula ${cases} END WHERE cedula IN (?)`, [...saldos, ...versiones, [...c.saldos.keys()]]);
  }
  if (c.movimientos.length > 0) {
    const rows = c.movimientos.map((m) => [m.cedula, m.tipo, formatCents(m.monto), formatCents(m.saldo_final), m.fecha, m.transaccion_id, m.contraparte]);
    await conn.query('INSERT INTO transacciones (cedula, tipo, monto, saldo_final, fecha, transaccion_id, contraparte) VALUES ?', [rows]);
  }
  await appendRows(conn, c.eventos, c.fecha);
  if (c.refs.length > 0) {
    const rows = c.refs.map((r) => [r.ref, r.huella, JSON.stringify(r.resultado), c.fecha]);
    await conn.query('INSERT INTO idempotencia (ref, huella, resultado, creado) VALUES ?', [rows]);
  }
}
