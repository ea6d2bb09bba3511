/**
 * The `op` label of a request in the latency histogram (core/metrics/). A closed set, so a
 * client sending made-up commands cannot grow the metric without end: JSON ops by name, legacy
 * commands by the JSON op they match, everything else `desconocida`.
 */
import { OPS } from './json-lines';

const LEGACY_OP: Readonly<Record<string, string>> = {
  CONSULTA: 'consulta',
  AUMENTAR: 'depositar',
  DISMINUIR: 'retirar',
  CREAR: 'crear',
  TRANSFERIR: 'transferir',
  HISTORIAL: 'historial',
  STATS: 'estadisticas',
  SALIR: 'salir',
};

export const UNKNOWN_OP = 'desconocida';

export function jsonOpLabel(op: unknown): string {
  return typeof op === 'string' && (OPS as readonly string[]).includes(op) ? op : UNKNOWN_OP;
}

export function legacyOpLabel(line: string): string {
  const word = line.trim().split(/[ \t]+/, 1)[0].toUpperCase();
  return Object.prototype.hasOwnProperty.call(LEGACY_OP, word) ? LEGACY_OP[word] : UNKNOWN_OP;
}

export const secondsSince = (startedNs: bigint): number => Number(process.hrtime.bigint() - startedNs) / 1e9;
