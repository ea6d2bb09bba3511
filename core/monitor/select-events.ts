/**
 * Which bus messages the monitor prints by default: each money movement once. The bus carries a
 * movement several times on purpose (CONTRACT §5): a deposit is `banco/transacciones` and
 * `banco/depositos` and `banco/saldo/<cedula>`; a transfer is two `transacciones` sides plus
 * `transferencias` plus two `saldo`. Printed as they come, one deposit read like two deposits.
 *
 * By default the monitor prints deposits and withdrawals from `transacciones`, a transfer once
 * from `transferencias`, and every alert, statistics snapshot and unknown topic; it skips the
 * copies (`depositos`, `retiros`, the transfer sides in `transacciones`) and `saldo/<cedula>`
 * (the movement line already shows the new balance). `--all` prints every message, each line
 * labelled with its topic; explicit `--topic` filters print everything they match.
 */
export type Selection = 'movements' | 'everything';

const COPIES = new Set(['depositos', 'retiros', 'saldo']);
const TRANSFER_SIDES = new Set(['TRANSFERENCIA_ENVIADA', 'TRANSFERENCIA_RECIBIDA']);

function tipoOf(payload: Buffer): unknown {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as { tipo?: unknown }).tipo : undefined;
  } catch {
    return undefined;
  }
}

export function isPrinted(topic: string, payload: Buffer, prefix: string, selection: Selection): boolean {
  if (selection === 'everything' || !topic.startsWith(prefix + '/')) return true;
  const kind = topic.slice(prefix.length + 1).split('/', 1)[0];
  if (COPIES.has(kind)) return false;
  if (kind === 'transacciones') return !TRANSFER_SIDES.has(tipoOf(payload) as string);
  return true;
}
