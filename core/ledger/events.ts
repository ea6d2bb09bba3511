/**
 * The event catalog: which outbox rows each committed movement produces, with the legacy topics,
 * QoS, retain flags and payload fields of CONTRACT §5. Topics are relative to the configurable
 * prefix ("banco"); the relay adds it.
 */
import { centsToNumber, formatCents } from './money';
import type { EventoOutbox, TipoMovimiento } from './types';

export interface EventContext {
  newId: () => string;
  timestamp: string; // ISO 8601
  lowBalanceCents: number;
}

const TOPIC_BY_TIPO: Partial<Record<TipoMovimiento, string>> = { DEPOSITO: 'depositos', RETIRO: 'retiros' };

function event(ctx: EventContext, topic: string, qos: 0 | 1 | 2, retain: boolean, fields: Record<string, unknown>): EventoOutbox {
  const id = ctx.newId();
  return { id, topic, qos, retain, payload: { id, timestamp: ctx.timestamp, ...fields } };
}

/** One side of a movement: the account, its balance before and after, and its new `version`. */
export interface Lado {
  cedula: string;
  antes: number;
  despues: number;
  /** The account's version after this change (CONTRACT §5: strictly increasing per account). */
  version: number;
}

/** `banco/transacciones` (+ `banco/depositos` or `banco/retiros`) for one side of a movement. */
function movementEvents(ctx: EventContext, lado: Lado, tipo: TipoMovimiento, monto: number, transaccion_id: string): EventoOutbox[] {
  const fields = {
    cedula: lado.cedula,
    tipo,
    monto: centsToNumber(monto),
    saldo_nuevo: centsToNumber(lado.despues),
    version: lado.version,
    transaccion_id,
  };
  const out = [event(ctx, 'transacciones', 1, false, fields)];
  const specific = TOPIC_BY_TIPO[tipo];
  if (specific) out.push(event(ctx, specific, 1, false, fields));
  return out;
}

/** Retained `banco/saldo/{cedula}`: the latest balance of an account; `version` lets a reader drop a stale one. */
function balanceEvent(ctx: EventContext, lado: Lado): EventoOutbox {
  return event(ctx, `saldo/${lado.cedula}`, 1, true, {
    cedula: lado.cedula,
    saldo_nuevo: centsToNumber(lado.despues),
    saldo_anterior: centsToNumber(lado.antes),
    version: lado.version,
  });
}

/** QoS 2 `banco/alertas` when a withdrawal or outgoing transfer leaves the balance under the threshold. */
function lowBalanceEvents(ctx: EventContext, lado: Lado): EventoOutbox[] {
  if (lado.despues >= ctx.lowBalanceCents) return [];
  return [
    event(ctx, 'alertas', 2, false, {
      type: 'LOW_BALANCE',
      message: `Saldo bajo: $${formatCents(lado.despues)}`,
      cedula: lado.cedula,
      // Extra fields (CONTRACT §5 allows them): the balance before and the threshold, so a
      // consumer can tell a downward crossing from a further withdrawal below it (banco-email).
      data: { saldo: centsToNumber(lado.despues), saldo_anterior: centsToNumber(lado.antes), umbral: centsToNumber(ctx.lowBalanceCents) },
      version: lado.version,
    }),
  ];
}

export function depositEvents(ctx: EventContext, lado: Lado, monto: number, transaccion_id: string): EventoOutbox[] {
  return [...movementEvents(ctx, lado, 'DEPOSITO', monto, transaccion_id), balanceEvent(ctx, lado)];
}

export function withdrawalEvents(ctx: EventContext, lado: Lado, monto: number, transaccion_id: string): EventoOutbox[] {
  return [...movementEvents(ctx, lado, 'RETIRO', monto, transaccion_id), balanceEvent(ctx, lado), ...lowBalanceEvents(ctx, lado)];
}

/** Both sides, the transfer itself (with `version_origen` and `version_destino`), both balances, the origin's alert. */
export function transferEvents(ctx: EventContext, t: { origen: Lado; destino: Lado; monto: number; transaccion_id: string }): EventoOutbox[] {
  return [
    ...movementEvents(ctx, t.origen, 'TRANSFERENCIA_ENVIADA', t.monto, t.transaccion_id),
    ...movementEvents(ctx, t.destino, 'TRANSFERENCIA_RECIBIDA', t.monto, t.transaccion_id),
    event(ctx, 'transferencias', 1, false, {
      cedula_origen: t.origen.cedula,
      cedula_destino: t.destino.cedula,
      monto: centsToNumber(t.monto),
      saldo_origen: centsToNumber(t.origen.despues),
      saldo_destino: centsToNumber(t.destino.despues),
      version_origen: t.origen.version,
      version_destino: t.destino.version,
      transaccion_id: t.transaccion_id,
    }),
    balanceEvent(ctx, t.origen),
    balanceEvent(ctx, t.destino),
    ...lowBalanceEvents(ctx, t.origen),
  ];
}
