/**
 * Compatibility mode's Socket.IO API (CONTRACT §7), on the default namespace the old front end
 * connects to: `subscribe_balance` {cedula} → `balance_updated` {cedula, balance} and
 * `transactions_updated` {cedula, transactions}, at once and on every later change; `stats_updated`
 * to every compat socket. Unlike the old bridge, a change goes only to the sockets subscribed to
 * that cédula (live/socket-push.ts). Unauthenticated, like the rest of compatibility mode.
 */
import type { Server, Socket } from 'socket.io';
import { isAccountKey } from '../../core/ledger/cedula';
import type { CorePool } from '../core-client/core-pool';
import { KeyedRateLimits } from '../http/keyed-rate-limits';
import { BRIDGE_LIMITS } from '../limits';
import { amount, legacyMovement } from './legacy-shapes';

export const COMPAT_NAMESPACE = '/';
export const compatRoom = (cedula: string): string => `legacy:${cedula}`;

export async function legacyTransactions(core: CorePool, cedula: string): Promise<Array<Record<string, unknown>>> {
  const h = await core.request({ op: 'historial', cedula });
  return h.ok ? (h.movimientos as Array<Record<string, unknown>>).map(legacyMovement) : [];
}

async function subscribe(core: CorePool, socket: Socket, payload: unknown): Promise<void> {
  const cedula = (payload as { cedula?: unknown } | null)?.cedula;
  if (!isAccountKey(cedula)) return void socket.emit('subscription_error', { error: 'Cédula inválida' });
  const rooms = [...socket.rooms].filter((r) => r.startsWith('legacy:'));
  if (!rooms.includes(compatRoom(cedula)) && rooms.length >= BRIDGE_LIMITS.compat_subscriptions_per_socket_max) return void socket.emit('subscription_error', { error: 'Demasiadas suscripciones' });
  const c = await core.request({ op: 'consulta', cedula });
  if (!c.ok) return void socket.emit('subscription_error', { error: (c.error as { message?: string }).message ?? 'Error' });
  await socket.join(compatRoom(cedula));
  socket.emit('balance_updated', { cedula, balance: amount((c.cliente as Record<string, unknown>).saldo) });
  socket.emit('transactions_updated', { cedula, transactions: await legacyTransactions(core, cedula) });
}

export function attachCompatSocket(io: Server, core: CorePool, enabled: boolean): void {
  const nsp = io.of(COMPAT_NAMESPACE);
  // Socket.IO always has the default namespace: with compatibility mode off, nobody may use it.
  nsp.use((_socket, next) => (enabled ? next() : next(new Error('NO_DISPONIBLE'))));
  if (!enabled) return;
  const events = new KeyedRateLimits(BRIDGE_LIMITS.socket_events_per_second_max, BRIDGE_LIMITS.socket_events_burst_max);
  nsp.on('connection', (socket) => {
    socket.on('subscribe_balance', (payload: unknown) => {
      if (!events.tryTake(socket.id)) return void socket.emit('subscription_error', { error: 'Límite excedido' });
      subscribe(core, socket, payload).catch(() => socket.emit('subscription_error', { error: 'Servicio no disponible, intente de nuevo' }));
    });
  });
}
