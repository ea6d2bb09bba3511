/**
 * The check of one `historial` read during the load: the rows an account shows must be
 * operations a client issued (by their unique amount) and not refused, each at most once, with
 * the transaction id a JSON client was given, and their balances must chain (newest first:
 * each row's `saldo_final` is the next older one's ± its `monto`), so a lost update shows live.
 */
import { decimalTextToCents } from '../core/ledger/money';
import type { TipoMovimiento } from '../core/ledger/types';
import type { History, Operation } from './history';
import type { Violations } from './violations';

export interface MovimientoLeido {
  tipo: TipoMovimiento;
  montoCents: number;
  saldoFinalCents: number;
  transaccionId: string | null;
}

const SIGN: Record<TipoMovimiento, 1 | -1> = { DEPOSITO: 1, TRANSFERENCIA_RECIBIDA: 1, RETIRO: -1, TRANSFERENCIA_ENVIADA: -1 };
const TIPOS = new Set<string>(Object.keys(SIGN));

/** The `movimientos` of a JSON `historial` reply, or null if they are malformed. */
export function parseMovimientos(value: unknown): MovimientoLeido[] | null {
  if (!Array.isArray(value)) return null;
  const out: MovimientoLeido[] = [];
  for (const m of value as Array<Record<string, unknown>>) {
    if (typeof m !== 'object' || m === null || !TIPOS.has(String(m.tipo)) || typeof m.monto !== 'string' || typeof m.saldo_final !== 'string') return null;
    out.push({
      tipo: m.tipo as TipoMovimiento,
      montoCents: decimalTextToCents(m.monto),
      saldoFinalCents: decimalTextToCents(m.saldo_final),
      transaccionId: typeof m.transaccion_id === 'string' ? m.transaccion_id : null,
    });
  }
  return out;
}

export function checkHistorialRead(cedula: string, rows: MovimientoLeido[], history: History, fundingIds: ReadonlySet<string>, violations: Violations): void {
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const older = rows[i + 1];
    if (older && older.saldoFinalCents + SIGN[row.tipo] * row.montoCents !== row.saldoFinalCents) {
      violations.add('ledger', `historial ${cedula}: ${row.tipo} ${row.montoCents}c leaves ${row.saldoFinalCents}c, the row before it left ${older.saldoFinalCents}c`);
    }
    if (row.transaccionId !== null && fundingIds.has(row.transaccionId)) return;
    const key = `${row.transaccionId ?? '?'}|${row.tipo}`;
    if (seen.has(key)) violations.add('duplicate', `historial ${cedula}: ${key} shown twice`);
    seen.add(key);
    const op = history.operations.get(row.montoCents);
    if (!op || !matches(op, cedula, row.tipo)) return violations.add('phantom', `historial ${cedula}: ${row.tipo} ${row.montoCents}c matches no operation a client issued`);
    if (op.desenlace === 'rejected') violations.add('phantom', `historial ${cedula}: ${row.tipo} ${row.montoCents}c was refused (${op.rejectCode ?? '?'}) but is in the history`);
    if (op.desenlace === 'ok' && op.transaccionId !== null && op.transaccionId !== row.transaccionId) {
      violations.add('idempotency', `historial ${cedula}: ${op.ref ?? ''} acknowledged as ${op.transaccionId}, the history shows ${row.transaccionId ?? 'no id'}`);
    }
  });
}

function matches(op: Operation, cedula: string, tipo: TipoMovimiento): boolean {
  switch (tipo) {
    case 'DEPOSITO':
      return op.clase === 'deposito' && op.cedula === cedula;
    case 'RETIRO':
      return op.clase === 'retiro' && op.cedula === cedula;
    case 'TRANSFERENCIA_ENVIADA':
      return op.clase === 'transferencia' && op.cedula === cedula;
    case 'TRANSFERENCIA_RECIBIDA':
      return op.clase === 'transferencia' && op.destino === cedula;
  }
}
