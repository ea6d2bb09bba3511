/** The logged-in customer's own account and history; the cédula is the session's (session-guard.ts). */
import { Router, type Request, type Response } from 'express';
import type { BridgeContext } from '../context';
import { BRIDGE_LIMITS } from '../limits';
import { sendCoreError, sendError } from './customer-errors';
import { currentSession, requireSession } from './session-guard';
import type { Wrap } from './wrap';

async function account(ctx: BridgeContext, res: Response): Promise<void> {
  const ced = currentSession(res).ced;
  // Read before the balance: the balance is at least this new, so the page drops older events.
  const version = ctx.feed.versions.get(ced);
  const reply = await ctx.core.request({ op: 'consulta', cedula: ced });
  if (!reply.ok) return sendCoreError(res, reply);
  const c = reply.cliente as Record<string, unknown>;
  res.json({ cedula: c.cedula, nombres: c.nombres, apellidos: c.apellidos, saldo: c.saldo, version });
}

/**
 * Pages of `history_page_rows` over the newest `history_rows_max` movements (the most the core's
 * `historial` returns; it has no offset, so older movements are not reachable from the page).
 */
async function history(ctx: BridgeContext, req: Request, res: Response): Promise<void> {
  const raw = typeof req.query.pagina === 'string' ? req.query.pagina : '1';
  if (!/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1) return sendError(res, 'PARAMETRO_INVALIDO', 'Página inválida.');
  const pagina = Number(raw);
  const reply = await ctx.core.request({ op: 'historial', cedula: currentSession(res).ced, limite: BRIDGE_LIMITS.history_rows_max });
  if (!reply.ok) return sendCoreError(res, reply);
  const all = reply.movimientos as Array<Record<string, unknown>>;
  const size = BRIDGE_LIMITS.history_page_rows;
  const paginas = Math.max(1, Math.ceil(all.length / size));
  const movimientos = all.slice((pagina - 1) * size, pagina * size).map((m) => ({ tipo: m.tipo, monto: m.monto, saldo_final: m.saldo_final, fecha: m.fecha, contraparte: m.contraparte }));
  res.json({ pagina, paginas, movimientos });
}

export function accountRoutes(ctx: BridgeContext, wrap: Wrap): Router {
  const r = Router();
  r.get('/cuenta', requireSession(ctx), wrap((_req, res) => account(ctx, res)));
  r.get('/movimientos', requireSession(ctx), wrap((req, res) => history(ctx, req, res)));
  return r;
}
