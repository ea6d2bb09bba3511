/**
 * Log in, see the session, log out. Login asks the core's `verificar_pin`, so the PIN lock
 * (CONTRACT §4: repeated wrong PINs lock the account for a while) holds across every bridge and
 * core process; the bridge adds a per-IP limit on attempts in front of it.
 */
import { Router, type Request, type Response } from 'express';
import { isAccountKey } from '../../core/ledger/cedula';
import type { BridgeContext } from '../context';
import { clearSessionCookie, setSessionCookie } from './cookies';
import { sendCoreError, sendError } from './customer-errors';
import { currentSession, requireSession, sameOrigin } from './session-guard';
import type { Session } from '../session/session-token';
import type { Wrap } from './wrap';

function sessionBody(ctx: BridgeContext, s: Session): Record<string, unknown> {
  return { cedula: s.ced, csrf: ctx.signer.csrfToken(s), expira: new Date(s.exp).toISOString(), inactividad_ms: ctx.config.sessionIdleMs };
}

async function login(ctx: BridgeContext, req: Request, res: Response): Promise<void> {
  if (!sameOrigin(req.headers.origin, req.headers.host)) return sendError(res, 'NO_AUTORIZADO', 'Origen no permitido.');
  if (!ctx.limits.login.tryTake(req.ip ?? '')) return sendError(res, 'LIMITE_EXCEDIDO', 'Demasiados intentos de ingreso desde esta dirección. Espere un minuto.');
  const { cedula, pin } = (req.body ?? {}) as Record<string, unknown>;
  if (!isAccountKey(cedula)) return sendError(res, 'CEDULA_INVALIDA');
  if (typeof pin !== 'string' || !/^[0-9]{4,12}$/.test(pin)) return sendError(res, 'PARAMETRO_INVALIDO', 'El PIN son de 4 a 12 dígitos.');
  const reply = await ctx.core.request({ op: 'verificar_pin', cedula, pin });
  if (!reply.ok) return sendCoreError(res, reply, { CEDULA_INVALIDA: 'Cédula o PIN incorrectos.' });
  const session = ctx.signer.issue(cedula, ctx.nowMs());
  setSessionCookie(req, res, ctx.signer.sign(session), session.exp - session.iat);
  ctx.log.info('bridge.login', { cedula, sid: session.sid });
  res.status(201).json(sessionBody(ctx, session));
}

function logout(ctx: BridgeContext, req: Request, res: Response): void {
  const s = currentSession(res);
  ctx.revocations.revoke(s.sid, s.exp);
  ctx.endSessionSockets(s.sid);
  clearSessionCookie(req, res);
  ctx.log.info('bridge.logout', { cedula: s.ced, sid: s.sid });
  res.status(204).end();
}

export function sessionRoutes(ctx: BridgeContext, wrap: Wrap): Router {
  const r = Router();
  r.post('/sesion', wrap((req, res) => login(ctx, req, res)));
  r.get('/sesion', requireSession(ctx), (_req, res) => void res.json(sessionBody(ctx, currentSession(res))));
  r.delete('/sesion', requireSession(ctx), wrap((req, res) => logout(ctx, req, res)));
  return r;
}
