/** What the protocol handlers need from the rest of the core. */
import type { Ledger } from '../ledger/ledger';

export interface Estadisticas {
  clientes_conectados: number;
  total_transacciones: number;
  ips_activas: number;
}

export interface ProtocolContext {
  ledger: Ledger;
  /** Connection statistics of this process plus the committed transaction count; also published. */
  estadisticas(): Promise<Estadisticas>;
  /** Time of one answered request, for /metrics (core/metrics/); `op` is a bounded label (request-label.ts). */
  observeRequest?(protocol: 'json' | 'legacy', op: string, seconds: number): void;
}
