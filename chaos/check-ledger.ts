/**
 * The end-of-run check of the database against what the clients saw: balances never negative,
 * each account's history adds up to its balance, every acknowledged operation is there exactly
 * once (found by its unique amount, and by transaction id for JSON), every refused one is absent,
 * nothing is there that nobody asked for, and the total fits the acknowledged flows.
 */
import type { TipoMovimiento } from '../core/ledger/types';
import type { DbView, MovimientoDb } from './database';
import { markFlows, totalBounds, type History, type Operation } from './history';
import type { Violations } from './violations';

export interface LedgerFigures {
  movements: number;
  /** Legacy operations whose reply was lost, and how many of them the database shows committed. */
  unknown: number;
  unknownCommitted: number;
}

const SIGN: Record<TipoMovimiento, 1 | -1> = { DEPOSITO: 1, TRANSFERENCIA_RECIBIDA: 1, RETIRO: -1, TRANSFERENCIA_ENVIADA: -1 };

export function checkLedger(view: DbView, history: History, initialTotalCents: number, fundingIds: ReadonlySet<string>, violations: Violations): LedgerFigures {
  checkBalances(view, violations);
  const groups = groupByTransaction(view.movimientos, violations);
  const applied = new Map<number, string[]>(); // montoCents → transaccion_ids that applied it
  for (const [id, rows] of groups) {
    if (fundingIds.has(id)) continue;
    const op = history.operations.get(rows[0].montoCents);
    if (!op || !sameShape(op, rows)) {
      violations.add('phantom', `movement ${id} (${rows.map(describeRow).join(', ')}) matches no operation a client issued`);
      continue;
    }
    applied.set(op.montoCents, [...(applied.get(op.montoCents) ?? []), id]);
  }
  const figures: LedgerFigures = { movements: groups.size - fundingIds.size, unknown: 0, unknownCommitted: 0 };
  for (const op of history.operations.values()) checkOperation(op, applied.get(op.montoCents) ?? [], violations, figures);
  checkTotal(view, history, initialTotalCents, violations);
  return figures;
}

function describeRow(r: MovimientoDb): string {
  return `${r.tipo} ${r.cedula} ${r.montoCents}c`;
}

/** No negative balance, and each account's history rows chain from 0 to its balance. */
function checkBalances(view: DbView, violations: Violations): void {
  const running = new Map<string, number>();
  const broken = new Set<string>();
  for (const row of view.movimientos) {
    const after = (running.get(row.cedula) ?? 0) + SIGN[row.tipo] * row.montoCents;
    running.set(row.cedula, after);
    if (after !== row.saldoFinalCents && !broken.has(row.cedula)) {
      broken.add(row.cedula);
      violations.add('ledger', `${row.cedula}: history row ${row.id} says saldo_final ${row.saldoFinalCents}c, the rows before it add up to ${after}c`);
    }
  }
  for (const [cedula, saldo] of view.saldos) {
    if (saldo < 0) violations.add('negative', `${cedula}: balance ${saldo}c in the database`);
    if ((running.get(cedula) ?? 0) !== saldo) violations.add('ledger', `${cedula}: balance ${saldo}c, its history adds up to ${running.get(cedula) ?? 0}c`);
  }
}

function groupByTransaction(rows: MovimientoDb[], violations: Violations): Map<string, MovimientoDb[]> {
  const groups = new Map<string, MovimientoDb[]>();
  for (const row of rows) {
    if (row.transaccionId === null) {
      violations.add('ledger', `history row ${row.id} (${describeRow(row)}) has no transaccion_id`);
      continue;
    }
    groups.set(row.transaccionId, [...(groups.get(row.transaccionId) ?? []), row]);
  }
  return groups;
}

function sameShape(op: Operation, rows: MovimientoDb[]): boolean {
  if (rows.some((r) => r.montoCents !== op.montoCents)) return false;
  if (op.clase === 'deposito') return rows.length === 1 && rows[0].tipo === 'DEPOSITO' && rows[0].cedula === op.cedula;
  if (op.clase === 'retiro') return rows.length === 1 && rows[0].tipo === 'RETIRO' && rows[0].cedula === op.cedula;
  const sent = rows.filter((r) => r.tipo === 'TRANSFERENCIA_ENVIADA');
  const received = rows.filter((r) => r.tipo === 'TRANSFERENCIA_RECIBIDA');
  return rows.length === 2 && sent.length === 1 && received.length === 1 && sent[0].cedula === op.cedula && received[0].cedula === op.destino;
}

function checkOperation(op: Operation, ids: string[], violations: Violations, figures: LedgerFigures): void {
  const name = op.ref ?? `legacy ${op.clase} ${op.montoCents}c`;
  if (ids.length > 1) violations.add('duplicate', `${name} applied ${ids.length} times: ${ids.join(', ')}`);
  if (op.desenlace === 'ok') {
    if (ids.length === 0) violations.add('lost', `${name} was acknowledged (${op.transaccionId ?? 'no id'}) but is not in the history`);
    else if (op.transaccionId !== null && !ids.includes(op.transaccionId)) violations.add('idempotency', `${name} acknowledged as ${op.transaccionId}, the history has ${ids.join(', ')}`);
    return;
  }
  if (op.desenlace === 'rejected') {
    if (ids.length > 0) violations.add('phantom', `${name} was refused (${op.rejectCode ?? '?'}) but committed as ${ids.join(', ')}`);
    return;
  }
  figures.unknown++;
  if (ids.length > 0) figures.unknownCommitted++;
}

/** The total fits the acknowledged flows; unknown outcomes widen the bounds, nothing else does. */
function checkTotal(view: DbView, history: History, initialTotalCents: number, violations: Violations): void {
  const total = [...view.saldos.values()].reduce((a, b) => a + b, 0);
  const mark = markFlows(history);
  const { minCents, maxCents } = totalBounds(initialTotalCents, mark, mark);
  if (total < minCents || total > maxCents) violations.add('total', `final total ${total}c outside [${minCents}c, ${maxCents}c] allowed by the acknowledged and unknown operations`);
}
