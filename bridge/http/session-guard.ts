/**
 * Guards every customer route, in order: a valid, unrevoked, not idle session cookie; for a
 * request that changes anything, the same origin and the session's CSRF token (the cookie is
 * SameSite=Strict as well — two independent defences); then the session's own rate limit. The
 * cédula a route acts on comes from here and only from here (res.locals.session), never from a
 * body, a query string or a path.
 */
import type { NextFunction, Request, Response } from 'express';
import type { BridgeContext } from '../context';
import type { Session } from '../session/session-token';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from './cookies';
import { sendError } from './customer-errors';
import { BRIDGE_LIMITS } from '../limits';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function currentSession(res: Response): Session {
  return res.locals.session as Session;
}

/** A browser names the page's origin on cross-site and same-site requests alike; it must be ours. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true; // not a browser form/fetch from another site (those always send it)
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The session of a cookie, or why there is none (shared by HTTP and sockets). */
export function sessionOf(ctx: BridgeContext, cookieHeader: string | undefined): Session | null {
  const now = ctx.nowMs();
  const check = ctx.signer.verify(readCookie(cookieHeader, SESSION_COOKIE), now);
  if (!check.ok || ctx.revocations.isRevoked(check.session.sid, now)) return null;
  return check.session;
}

export function requireSession(ctx: BridgeContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const session = sessionOf(ctx, req.headers.cookie);
    if (session === null) {
      if (req.headers.cookie?.includes(`${SESSION_COOKIE}=`)) clearSessionCookie(req, res);
      return sendError(res, 'NO_AUTORIZADO');
    }
    if (!SAFE_METHODS.has(req.method) && (!sameOrigin(req.headers.origin, req.headers.host) || !ctx.signer.csrfMatches(session, req.headers[CSRF_HEADER]))) {
      return sendError(res, 'NO_AUTORIZADO', 'Solicitud rechazada: falta el token de seguridad de la sesión. Recargue la página.');
    }
    if (!ctx.limits.session.tryTake(session.sid)) return sendError(res, 'LIMITE_EXCEDIDO');
    touch(ctx, req, res, session);
    res.locals.session = session;
    next();
  };
}

/** Moves "last seen" forward (the idle timeout), re-signing the cookie at most every touch interval. */
function touch(ctx: BridgeContext, req: Request, res: Response, s: Session): void {
  const now = ctx.nowMs();
  if (now - s.seen < BRIDGE_LIMITS.session_touch_interval_ms) return;
  const renewed = { ...s, seen: now };
  setSessionCookie(req, res, ctx.signer.sign(renewed), renewed.exp - now);
}
