/**
 * Where live events go: a balance or movement only to the room of that account's own sockets
 * (customer page, and compatibility sockets subscribed to that cédula); stats only to
 * compatibility sockets. Never a broadcast of anyone's money to everyone (unlike the old bridge).
 */
import type { Server } from 'socket.io';
import type { CorePool } from '../core-client/core-pool';
import type { BalanceEvent, MovementEvent } from './balance-event';
import type { LiveSink } from './event-feed';
import { CUSTOMER_NAMESPACE, customerRoom } from '../socket/customer-socket';
import { COMPAT_NAMESPACE, compatRoom, legacyTransactions } from '../compat/compat-socket';

export function socketPush(io: Server, core: CorePool, compat: boolean): LiveSink {
  const customers = io.of(CUSTOMER_NAMESPACE);
  const legacy = compat ? io.of(COMPAT_NAMESPACE) : null;
  return {
    balance(e: BalanceEvent) {
      customers.to(customerRoom(e.cedula)).emit('saldo', { saldo: e.saldo.toFixed(2), version: e.version });
      legacy?.to(compatRoom(e.cedula)).emit('balance_updated', { cedula: e.cedula, balance: e.saldo });
    },
    movement(e: MovementEvent) {
      customers.to(customerRoom(e.cedula)).emit('movimiento', { tipo: e.tipo, monto: e.monto.toFixed(2), version: e.version });
      if (legacy === null || (legacy.adapter.rooms.get(compatRoom(e.cedula))?.size ?? 0) === 0) return;
      legacyTransactions(core, e.cedula).then(
        (transactions) => legacy.to(compatRoom(e.cedula)).emit('transactions_updated', { cedula: e.cedula, transactions }),
        () => undefined, // the next movement sends the list again
      );
    },
    stats(s: Record<string, number>) {
      legacy?.emit('stats_updated', s);
    },
  };
}
