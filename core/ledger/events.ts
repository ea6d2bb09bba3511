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

/** `banco/transacciones` (+ `banco/depositos` or `banco/retiros`) for one side of a movement. */
function movementEvents(ctx: EventContext, m: { cedula: string; tipo: TipoMovimiento; monto: number; saldo_nuevo: number; transaccion_id: string }): EventoOutbox[] {
  const fields = {
    cedula: m.cedula,
    tipo: m.tipo,
    monto: centsToNumber(m.monto),
    saldo_nuevo: centsToNumber(m.saldo_nuevo),
    transaccion_id: m.transaccion_id,
  };
  const out = [event(ctx, 'transacciones', 1, false, fields)];
  const specific = TOPIC_BY_TIPO[m.tipo];
  if (specific) out.push(event(ctx, specific, 1, false, fields));
  return out;
}

/** Retained `banco/saldo/{cedula}`: the latest balance of an account. */
function balanceEvent(ctx: EventContext, cedula: string, before: number, after: number): EventoOutbox {
  return event(ctx, `saldo/${cedula}`, 1, true, {
    cedula,
    saldo_nuevo: centsToNumber(after),
    saldo_anterior: centsToNumber(before),
  });
}

/** QoS 2 `banco/alertas` when a withdrawal or outgoing transfer leaves the balance under the threshold. */
function lowBalanceEvents(ctx: EventContext, cedula: string, after: number): EventoOutbox[] {
  if (after >= ctx.lowBalanceCents) return [];
  return [
    event(ctx, 'alertas', 2, false, {
      type: 'LOW_BALANCE',
      message: `Saldo bajo: $${formatCents(after)}`,
      cedula,
      data: { saldo: centsToNumber(after) },
    }),
  ];
}

export function depositEvents(ctx: EventContext, cedula: string, monto: number, before: number, after: number, transaccion_id: string): EventoOutbox[] {
  return [
    ...movementEvents(ctx, { cedula, tipo: 'DEPOSITO', monto, saldo_nuevo: after, transaccion_id }),
    balanceEvent(ctx, cedula, before, after),
  ];
}

export function withdrawalEvents(ctx: EventContext, cedula: string, monto: number, before: number, after: number, transaccion_id: string): EventoOutbox[] {
  return [
    ...movementEvents(ctx, { cedula, tipo: 'RETIRO', monto, saldo_nuevo: after, transaccion_id }),
    balanceEvent(ctx, cedula, before, after),
    ...lowBalanceEvents(ctx, cedula, after),
  ];
}

export function transferEvents(
  ctx: EventContext,
  t: { origen: string; destino: string; monto: number; origenAntes: number; origenDespues: number; destinoAntes: number; destinoDespues: number; transaccion_id: string },
): EventoOutbox[] {
  return [
    ...movementEvents(ctx, { cedula: t.origen, tipo: 'TRANSFERENCIA_ENVIADA', monto: t.monto, saldo_nuevo: t.origenDespues, transaccion_id: t.transaccion_id }),
    ...movementEvents(ctx, { cedula: t.destino, tipo: 'TRANSFERENCIA_RECIBIDA', monto: t.monto, saldo_nuevo: t.destinoDespues, transaccion_id: t.transaccion_id }),
    event(ctx, 'transferencias', 1, false, {
      cedula_origen: t.origen,
      cedula_destino: t.destino,
      monto: centsToNumber(t.monto),
      saldo_origen: centsToNumber(t.origenDespues),
      saldo_destino: centsToNumber(t.destinoDespues),
      transaccion_id: t.transaccion_id,
    }),
    balanceEvent(ctx, t.origen, t.origenAntes, t.origenDespues),
    balanceEvent(ctx, t.destino, t.destinoAntes, t.destinoDespues),
    ...lowBalanceEvents(ctx, t.origen, t.origenDespues),
  ];
}
