/**
 * Deposit, withdraw, transfer — always from the session's own account. Each request carries the
 * page's idempotency key (`clave`, one per confirmed form); the core gets it as `ref`, bound to
 * the cédula (session-token.ts), so a double click, a retry after a timeout or a second bridge
 * instance answering the same retry never moves money twice (CONTRACT §4).
 */
import { Router, type Request, type Response } from 'express';
import { isAccountKey } from '../../core/ledger/cedula';
import type { BridgeContext } from '../context';
import { sendCoreError, sendError } from './customer-errors';
import { currentSession, requireSession } from './session-guard';
import type { Wrap } from './wrap';

const CLAVE = /^[A-Za-z0-9_-]{8,64}$/;

type MoneyOp = 'depositar' | 'retirar' | 'transferir';

interface Parsed {
  monto: string | number;
  clave: string;
  destino?: string;
}

function parseBody(req: Request, res: Response, withDestino: boolean): Parsed | null {
  const { monto, clave, destino } = (req.body ?? {}) as Record<string, unknown>;
  if (typeof clave !== 'string' || !CLAVE.test(clave)) return sendError(res, 'PARAMETRO_INVALIDO', 'Falta la clave de la operación; recargue la página.'), null;
  if (typeof monto !== 'string' && typeof monto !== 'number') return sendError(res, 'MONTO_INVALIDO', 'Ingrese un monto, por ejemplo 25.50.'), null;
  if (withDestino && !isAccountKey(destino)) return sendError(res, 'CEDULA_INVALIDA', 'La cédula de destino debe tener 10 dígitos.'), null;
  return { monto, clave, destino: withDestino ? (destino as string) : undefined };
}

async function move(ctx: BridgeContext, op: MoneyOp, req: Request, res: Response): Promise<void> {
  const ced = currentSession(res).ced;
  const body = parseBody(req, res, op === 'transferir');
  if (body === null) return;
  const ref = ctx.signer.movementRef(ced, body.clave);
  const request = op === 'transferir' ? { op, origen: ced, destino: body.destino, monto: body.monto, ref } : { op, cedula: ced, monto: body.monto, ref };
  const reply = await ctx.core.request(request);
  if (!reply.ok) return sendCoreError(res, reply, { CLIENTE_NO_ENCONTRADO: op === 'transferir' ? 'La cuenta de destino no existe.' : undefined });
  ctx.log.info('bridge.movement', { op, cedula: ced, transaccion_id: reply.transaccion_id });
  if (op === 'transferir') {
    offer(ctx, body.destino as string, reply.saldo_destino, reply.version_destino);
    offer(ctx, ced, reply.saldo_origen, reply.version_origen);
    return void res.json({ transaccion_id: reply.transaccion_id, monto: reply.monto, destino: body.destino, saldo: reply.saldo_origen, version: reply.version_origen });
  }
  offer(ctx, ced, reply.saldo_nuevo, reply.version);
  res.json({ transaccion_id: reply.transaccion_id, monto: reply.monto, saldo: reply.saldo_nuevo, version: reply.version });
}

/** Pushes a balance learnt from a result to that account's own sockets (stale ones are dropped). */
function offer(ctx: BridgeContext, cedula: string, saldo: unknown, version: unknown): void {
  if (typeof saldo === 'string' && Number.isSafeInteger(version)) ctx.feed.offerBalance({ cedula, saldo: Number(saldo), version: version as number });
}

export function movementRoutes(ctx: BridgeContext, wrap: Wrap): Router {
  const r = Router();
  r.post('/depositos', requireSession(ctx), wrap((req, res) => move(ctx, 'depositar', req, res)));
  r.post('/retiros', requireSession(ctx), wrap((req, res) => move(ctx, 'retirar', req, res)));
  r.post('/transferencias', requireSession(ctx), wrap((req, res) => move(ctx, 'transferir', req, res)));
  return r;
}
