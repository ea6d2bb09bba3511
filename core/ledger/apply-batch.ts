/**
 * The ledger rules, as a pure function over a locked snapshot. A store reads the accounts and
 * idempotency keys a batch touches (under lock, in one transaction), runs these rules, writes the
 * returned changes and commits. Operations apply in order, each seeing the ones before it, so a
 * batch of N is exactly N operations committed one after another — only with one commit.
 */
import { createHash } from 'node:crypto';
import { ERROR_CODES } from '../errors';
import type { BatchRules } from '../store/store';
import { depositEvents, transferEvents, withdrawalEvents, type EventContext, type Lado } from './events';
import { uuidv7 } from './ids';
import type { Cambios, CuentaVersionada, Instantanea, Operacion, Rechazo, Resultado } from './types';

export interface RuleContext extends EventContext {
  fecha: string; // 'YYYY-MM-DD HH:MM:SS' for history rows
  balanceCentsMax: number;
}

/** A batch's context as plain data; ids are made where the rules run. */
export type BatchContext = Omit<RuleContext, 'newId'>;

/** The rules a store runs inside its transaction for one batch (core/store/store.ts `BatchRules`). */
export function batchRules(ctx: BatchContext): BatchRules {
  const rules: RuleContext = { ...ctx, newId: () => uuidv7() };
  return { keys: keysOf, apply: (snapshot, ops) => applyBatch(snapshot, ops, rules) };
}

/** The accounts and refs a batch must read (and lock) before its rules run, sorted: the lock order. */
export function keysOf(ops: readonly Operacion[]): { cuentas: string[]; refs: string[] } {
  const cuentas = new Set<string>();
  const refs = new Set<string>();
  for (const op of ops) {
    if (op.tipo === 'transferir') {
      cuentas.add(op.origen);
      cuentas.add(op.destino);
    } else cuentas.add(op.cedula);
    if (op.tipo !== 'crear' && op.ref !== null) refs.add(op.ref);
  }
  return { cuentas: [...cuentas].sort(), refs: [...refs].sort() };
}

/** What makes two requests "the same" for an idempotency key: every parameter but the key. */
export function fingerprint(op: Operacion): string {
  const params = op.tipo === 'transferir' ? [op.tipo, op.origen, op.destino, op.centavos] : op.tipo === 'crear' ? [op.tipo, op.cedula] : [op.tipo, op.cedula, op.centavos];
  return createHash('sha256').update(JSON.stringify(params)).digest('hex');
}

const reject = (code: Rechazo['code'], extra: Omit<Rechazo, 'ok' | 'code'> = {}): Rechazo => ({ ok: false, code, ...extra });

export function applyBatch(snapshot: Instantanea, ops: readonly Operacion[], ctx: RuleContext): { resultados: Resultado[]; cambios: Cambios } {
  const cuentas = new Map<string, CuentaVersionada>();
  for (const [k, c] of snapshot.cuentas) cuentas.set(k, { ...c });
  const refs = new Map(snapshot.refs);
  const cambios: Cambios = { nuevas: [], saldos: new Map(), movimientos: [], eventos: [], refs: [], fecha: ctx.fecha };
  // Every changed balance is written, accounts created earlier in this batch included: the
  // stores insert new accounts (balance 0) before they write balances, in one transaction.
  // Every change bumps the account's version (CONTRACT §5), several in one batch included.
  const setBalance = (cuenta: CuentaVersionada, cents: number): Lado => {
    const lado = { cedula: cuenta.cedula, antes: cuenta.saldo, despues: cents, version: cuenta.version + 1 };
    cuenta.saldo = cents;
    cuenta.version = lado.version;
    cambios.saldos.set(cuenta.cedula, { saldo: cents, version: lado.version });
    return lado;
  };

  const applyOne = (op: Operacion): Resultado => {
    switch (op.tipo) {
      case 'crear': {
        if (cuentas.has(op.cedula)) return reject('CLIENTE_YA_EXISTE');
        const cuenta = { cedula: op.cedula, nombres: op.nombres, apellidos: op.apellidos, saldo: 0 };
        cuentas.set(op.cedula, { ...cuenta, version: 1 }); // creation is the first version
        cambios.nuevas.push({ ...cuenta, pinHash: op.pinHash, fecha: ctx.fecha });
        return { ok: true, tipo: 'crear', cuenta };
      }
      case 'depositar': {
        const cuenta = cuentas.get(op.cedula);
        if (!cuenta) return reject('CLIENTE_NO_ENCONTRADO');
        const before = cuenta.saldo;
        const after = before + op.centavos;
        if (after > ctx.balanceCentsMax) return reject('LIMITE_EXCEDIDO');
        const transaccion_id = ctx.newId();
        const lado = setBalance(cuenta, after);
        cambios.movimientos.push({ cedula: op.cedula, tipo: 'DEPOSITO', monto: op.centavos, saldo_final: after, fecha: ctx.fecha, transaccion_id, contraparte: null });
        cambios.eventos.push(...depositEvents(ctx, lado, op.centavos, transaccion_id));
        return { ok: true, tipo: 'depositar', transaccion_id, cedula: op.cedula, monto: op.centavos, saldo_anterior: before, saldo_nuevo: after, version: lado.version };
      }
      case 'retirar': {
        const cuenta = cuentas.get(op.cedula);
        if (!cuenta) return reject('CLIENTE_NO_ENCONTRADO');
        const before = cuenta.saldo;
        if (op.centavos > before) return reject('SALDO_INSUFICIENTE', { saldo: before });
        const after = before - op.centavos;
        const transaccion_id = ctx.newId();
        const lado = setBalance(cuenta, after);
        cambios.movimientos.push({ cedula: op.cedula, tipo: 'RETIRO', monto: op.centavos, saldo_final: after, fecha: ctx.fecha, transaccion_id, contraparte: null });
        cambios.eventos.push(...withdrawalEvents(ctx, lado, op.centavos, transaccion_id));
        return { ok: true, tipo: 'retirar', transaccion_id, cedula: op.cedula, monto: op.centavos, saldo_anterior: before, saldo_nuevo: after, version: lado.version };
      }
      case 'transferir': {
        if (op.origen === op.destino) return reject('MISMA_CUENTA');
        const origen = cuentas.get(op.origen);
        if (!origen) return reject('CLIENTE_NO_ENCONTRADO', { cuenta: 'origen' });
        const destino = cuentas.get(op.destino);
        if (!destino) return reject('CLIENTE_NO_ENCONTRADO', { cuenta: 'destino' });
        const origenAntes = origen.saldo;
        const destinoAntes = destino.saldo;
        if (op.centavos > origenAntes) return reject('SALDO_INSUFICIENTE', { cuenta: 'origen', saldo: origenAntes });
        if (destinoAntes + op.centavos > ctx.balanceCentsMax) return reject('LIMITE_EXCEDIDO', { cuenta: 'destino' });
        const transaccion_id = ctx.newId();
        const ladoOrigen = setBalance(origen, origenAntes - op.centavos);
        const ladoDestino = setBalance(destino, destinoAntes + op.centavos);
        const base = { monto: op.centavos, fecha: ctx.fecha, transaccion_id };
        cambios.movimientos.push(
          { ...base, cedula: op.origen, tipo: 'TRANSFERENCIA_ENVIADA', saldo_final: origen.saldo, contraparte: op.destino },
          { ...base, cedula: op.destino, tipo: 'TRANSFERENCIA_RECIBIDA', saldo_final: destino.saldo, contraparte: op.origen },
        );
        cambios.eventos.push(...transferEvents(ctx, { origen: ladoOrigen, destino: ladoDestino, monto: op.centavos, transaccion_id }));
        return { ok: true, tipo: 'transferir', transaccion_id, origen: op.origen, destino: op.destino, monto: op.centavos, saldo_origen: origen.saldo, saldo_destino: destino.saldo, version_origen: ladoOrigen.version, version_destino: ladoDestino.version };
      }
    }
  };

  const resultados = ops.map((op): Resultado => {
    const ref = op.tipo === 'crear' ? null : op.ref;
    if (ref === null) return applyOne(op);
    const huella = fingerprint(op);
    const previous = refs.get(ref);
    if (previous) return previous.huella === huella ? previous.resultado : reject('REF_CONFLICTO');
    const resultado = applyOne(op);
    // Rule outcomes are final for their key, refusals included: a replay sees the same answer.
    // A retriable refusal (LIMITE_EXCEDIDO) is not final: a retry with the same ref runs again.
    if (!resultado.ok && ERROR_CODES[resultado.code].retriable) return resultado;
    refs.set(ref, { huella, resultado });
    cambios.refs.push({ ref, huella, resultado });
    return resultado;
  });
  return { resultados, cambios };
}
