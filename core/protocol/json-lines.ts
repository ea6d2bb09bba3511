/**
 * The JSON-lines protocol (CONTRACT §4): `{"id", "op", …}` in, `{"id", "ok": true, …}` or
 * `{"id", "ok": false, "error": {code, message}}` out. Parsing happens once here; the ledger gets
 * plain values and answers with typed results. Dispatch is one exhaustive switch over `Op`.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { ERROR_CODES, type ErrorCode } from '../errors';
import { LIMITS } from '../limits';
import { formatCents } from '../ledger/money';
import type { Cuenta, Rechazo, Resultado } from '../ledger/types';
import type { ProtocolContext } from './context';

export const OPS = ['ping', 'auth', 'crear', 'consulta', 'depositar', 'retirar', 'transferir', 'historial', 'estadisticas', 'verificar_pin'] as const;
export type Op = (typeof OPS)[number];

type Request = Record<string, unknown>;
export type Response = Record<string, unknown> & { id: unknown; ok: boolean };

/** Per-connection protocol state. */
export interface JsonSession {
  authenticated: boolean;
}

export function errorResponse(id: unknown, code: ErrorCode, message: string = ERROR_CODES[code].message, extra: Record<string, unknown> = {}): Response {
  return { id, ok: false, error: { code, message, ...extra } };
}

const AMOUNT_WORDS: Record<NonNullable<Rechazo['motivo']>, string> = {
  formato: 'Monto inválido: use un número positivo con hasta dos decimales',
  no_positivo: 'El monto debe ser positivo',
  excede_maximo: 'El monto excede el máximo permitido',
};

function rejection(id: unknown, r: Rechazo): Response {
  switch (r.code) {
    case 'MONTO_INVALIDO':
      return errorResponse(id, r.code, AMOUNT_WORDS[r.motivo ?? 'formato']);
    case 'PARAMETRO_INVALIDO':
      return errorResponse(id, r.code, `Parámetro inválido: ${r.campo ?? 'desconocido'}`, { campo: r.campo });
    case 'SALDO_INSUFICIENTE':
      return errorResponse(id, r.code, undefined, { saldo: formatCents(r.saldo ?? 0) });
    case 'CLIENTE_NO_ENCONTRADO':
    case 'CEDULA_INVALIDA':
      return errorResponse(id, r.code, r.cuenta ? `${ERROR_CODES[r.code].message} (cuenta ${r.cuenta})` : undefined, r.cuenta ? { cuenta: r.cuenta } : {});
    default:
      return errorResponse(id, r.code);
  }
}

const account = (c: Cuenta) => ({ cedula: c.cedula, nombres: c.nombres, apellidos: c.apellidos, saldo: formatCents(c.saldo) });

function movementResponse(id: unknown, r: Resultado): Response {
  if (!r.ok) return rejection(id, r);
  switch (r.tipo) {
    case 'crear':
      return { id, ok: true, cliente: account(r.cuenta) };
    case 'depositar':
    case 'retirar':
      return { id, ok: true, transaccion_id: r.transaccion_id, cedula: r.cedula, monto: formatCents(r.monto), saldo_anterior: formatCents(r.saldo_anterior), saldo_nuevo: formatCents(r.saldo_nuevo), version: r.version };
    case 'transferir':
      return { id, ok: true, transaccion_id: r.transaccion_id, origen: r.origen, destino: r.destino, monto: formatCents(r.monto), saldo_origen: formatCents(r.saldo_origen), saldo_destino: formatCents(r.saldo_destino), version_origen: r.version_origen, version_destino: r.version_destino };
  }
}

function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The id is echoed in the reply (CONTRACT §4), so it may nest at most `json_id_depth_max` deep. */
const ID_DEPTH_MAX = LIMITS.json_id_depth_max;

/** Iterative, so checking a hostile id cannot exhaust the stack either; bounded by the line limit. */
function nestsWithin(value: unknown, depthMax: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= depthMax) return false;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return true;
}

const isOp = (value: unknown): value is Op => typeof value === 'string' && (OPS as readonly string[]).includes(value);

/** Parses one line; a line that is not a JSON object gets JSON_INVALIDO, an id nested too deep PARAMETRO_INVALIDO, both with a null id. */
export function parseRequest(line: string): { ok: true; request: Request } | { ok: false; response: Response } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, response: errorResponse(null, 'JSON_INVALIDO') };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, response: errorResponse(null, 'JSON_INVALIDO', 'Cada línea debe ser un objeto JSON') };
  const request = value as Request;
  if (!nestsWithin(request.id, ID_DEPTH_MAX)) return { ok: false, response: errorResponse(null, 'PARAMETRO_INVALIDO', `El id anida más de ${ID_DEPTH_MAX} niveles`, { campo: 'id' }) };
  return { ok: true, request };
}

/**
 * Answers one parsed request. `auth` is decided synchronously before anything else runs, so a
 * pipelined `auth` followed by other ops works in order.
 */
export function handleJsonRequest(ctx: ProtocolContext, coreToken: string | null, session: JsonSession, req: Request): Response | Promise<Response> {
  const id = req.id ?? null;
  if (typeof req.op !== 'string') return errorResponse(id, 'PARAMETRO_INVALIDO', 'Falta "op"', { campo: 'op' });
  if (!isOp(req.op)) return errorResponse(id, 'OP_DESCONOCIDA', `Operación desconocida: ${req.op.slice(0, 40)}`);
  const op: Op = req.op;
  if (op === 'auth') {
    if (coreToken === null) return { id, ok: true };
    session.authenticated = tokenMatches(req.token, coreToken);
    return session.authenticated ? { id, ok: true } : errorResponse(id, 'NO_AUTORIZADO', 'Token incorrecto');
  }
  if (coreToken !== null && !session.authenticated && op !== 'ping') return errorResponse(id, 'NO_AUTORIZADO', 'Envíe "auth" con el token primero');
  return dispatch(ctx, op, id, req);
}

async function dispatch(ctx: ProtocolContext, op: Exclude<Op, 'auth'>, id: unknown, req: Request): Promise<Response> {
  const { ledger } = ctx;
  switch (op) {
    case 'ping':
      return { id, ok: true, pong: true };
    case 'crear':
      return movementResponse(id, await ledger.crear({ cedula: req.cedula, nombres: req.nombres, apellidos: req.apellidos, pin: req.pin }));
    case 'consulta': {
      const r = await ledger.consulta(req.cedula);
      return r.ok ? { id, ok: true, cliente: account(r.cuenta) } : rejection(id, r);
    }
    case 'depositar':
      return movementResponse(id, await ledger.depositar({ cedula: req.cedula, monto: req.monto, ref: req.ref }));
    case 'retirar':
      return movementResponse(id, await ledger.retirar({ cedula: req.cedula, monto: req.monto, ref: req.ref }));
    case 'transferir':
      return movementResponse(id, await ledger.transferir({ origen: req.origen, destino: req.destino, monto: req.monto, ref: req.ref }));
    case 'historial': {
      const r = await ledger.historial(req.cedula, req.limite);
      if (!r.ok) return rejection(id, r);
      const movimientos = r.movimientos.map((m) => ({ id: m.id, tipo: m.tipo, monto: formatCents(m.monto), saldo_final: formatCents(m.saldo_final), fecha: m.fecha, transaccion_id: m.transaccion_id, contraparte: m.contraparte }));
      return { id, ok: true, cedula: r.cedula, movimientos };
    }
    case 'estadisticas':
      return { id, ok: true, ...(await ctx.estadisticas()) };
    case 'verificar_pin': {
      const r = await ledger.verificarPin(req.cedula, req.pin);
      return r.ok ? { id, ok: true, valido: true } : rejection(id, r);
    }
  }
}
