/**
 * The customer page's live channel: Socket.IO namespace `/cliente`. The handshake must come from
 * the page's own origin with a valid session cookie; the socket then joins only its own cédula's
 * room. It pushes `saldo` {saldo, version} and `movimiento` {tipo, monto, version}; the one event
 * it accepts, `consultar_saldo`, ignores whatever payload comes with it and answers for the
 * session's cédula. Sessions are re-checked every `socket_session_check_ms` (expiry, idle, logout):
 * a stale socket is told `sesion_terminada` and closed; the page reconnects with its current cookie.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type { BridgeContext } from '../context';
import { sameOrigin, sessionOf } from '../http/session-guard';
import { KeyedRateLimits } from '../http/keyed-rate-limits';
import { BRIDGE_LIMITS } from '../limits';
import type { Session } from '../session/session-token';

export const CUSTOMER_NAMESPACE = '/cliente';
export const customerRoom = (cedula: string): string => `c:${cedula}`;
const sessionRoom = (sid: string): string => `s:${sid}`;

type Ack = (reply: Record<string, unknown>) => void;

async function balance(ctx: BridgeContext, session: Session): Promise<Record<string, unknown>> {
  const version = ctx.feed.versions.get(session.ced);
  const reply = await ctx.core.request({ op: 'consulta', cedula: session.ced });
  if (!reply.ok) return { error: reply.error };
  return { saldo: (reply.cliente as Record<string, unknown>).saldo, version };
}

function onConnection(ctx: BridgeContext, events: KeyedRateLimits, socket: Socket): void {
  const session = socket.data.session as Session;
  void socket.join([customerRoom(session.ced), sessionRoom(session.sid)]);
  socket.on('consultar_saldo', (_ignored: unknown, ack?: unknown) => {
    if (typeof ack !== 'function') return;
    if (!events.tryTake(socket.id)) return void (ack as Ack)({ error: { code: 'LIMITE_EXCEDIDO' } });
    balance(ctx, session).then(ack as Ack, () => (ack as Ack)({ error: { code: 'NO_DISPONIBLE' } }));
  });
}

/** Closes the sockets whose handshake session has since expired, idled out or logged out. */
function recheck(ctx: BridgeContext, nsp: Namespace): void {
  const now = ctx.nowMs();
  for (const socket of nsp.sockets.values()) {
    const s = socket.data.session as Session;
    const over = now >= s.exp || now - s.seen >= ctx.config.sessionIdleMs || ctx.revocations.isRevoked(s.sid, now);
    if (over) {
      socket.emit('sesion_terminada', { renovar: !ctx.revocations.isRevoked(s.sid, now) && now < s.exp });
      socket.disconnect(true);
    }
  }
}

export function attachCustomerSocket(ctx: BridgeContext, io: Server): { stop: () => void } {
  const nsp = io.of(CUSTOMER_NAMESPACE);
  const events = new KeyedRateLimits(BRIDGE_LIMITS.socket_events_per_second_max, BRIDGE_LIMITS.socket_events_burst_max);
  nsp.use((socket, next) => {
    const h = socket.handshake.headers;
    if (!sameOrigin(h.origin, h.host)) return next(new Error('ORIGEN_NO_PERMITIDO'));
    const session = sessionOf(ctx, h.cookie);
    if (session === null) return next(new Error('NO_AUTORIZADO'));
    socket.data.session = session;
    next();
  });
  nsp.on('connection', (socket) => onConnection(ctx, events, socket));
  ctx.endSessionSockets = (sid) => {
    nsp.to(sessionRoom(sid)).emit('sesion_terminada', { renovar: false });
    nsp.in(sessionRoom(sid)).disconnectSockets(true);
  };
  const timer = setInterval(() => recheck(ctx, nsp), BRIDGE_LIMITS.socket_session_check_ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
