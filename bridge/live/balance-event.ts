/**
 * Parses the bus's events once, into types (CONTRACT §5 payloads). Anything malformed is null and
 * ignored: the bus is shared, and a bad message must never reach a customer's page.
 */
import { isAccountKey } from '../../core/ledger/cedula';

export interface BalanceEvent {
  cedula: string;
  /** JSON number with at most two decimals, as published. */
  saldo: number;
  version: number;
}

export interface MovementEvent {
  cedula: string;
  tipo: string;
  monto: number;
  version: number;
}

function parseObject(payload: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function parseBalanceEvent(payload: Buffer): BalanceEvent | null {
  const p = parseObject(payload);
  if (p === null || !isAccountKey(p.cedula) || !isAmount(p.saldo_nuevo) || !Number.isSafeInteger(p.version)) return null;
  return { cedula: p.cedula, saldo: p.saldo_nuevo, version: p.version as number };
}

export function parseMovementEvent(payload: Buffer): MovementEvent | null {
  const p = parseObject(payload);
  if (p === null || !isAccountKey(p.cedula) || typeof p.tipo !== 'string' || !isAmount(p.monto) || !Number.isSafeInteger(p.version)) return null;
  return { cedula: p.cedula, tipo: p.tipo, monto: p.monto, version: p.version as number };
}

export function parseStatsEvent(payload: Buffer): Record<string, number> | null {
  const p = parseObject(payload);
  if (p === null) return null;
  const keys = ['clientes_conectados', 'total_transacciones', 'ips_activas'] as const;
  if (!keys.every((k) => Number.isSafeInteger(p[k]))) return null;
  return Object.fromEntries(keys.map((k) => [k, p[k] as number]));
}
