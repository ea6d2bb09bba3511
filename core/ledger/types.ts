/** The ledger's vocabulary: operations that move money, their outcomes, and what they commit. */
import type { ErrorCode } from '../errors';

export type TipoMovimiento = 'DEPOSITO' | 'RETIRO' | 'TRANSFERENCIA_ENVIADA' | 'TRANSFERENCIA_RECIBIDA';

export interface Cuenta {
  cedula: string;
  nombres: string;
  apellidos: string;
  saldo: number; // cents
}

export interface Movimiento {
  id: number;
  tipo: TipoMovimiento;
  monto: number; // cents
  saldo_final: number; // cents
  fecha: string; // 'YYYY-MM-DD HH:MM:SS', the core's local time (legacy)
  transaccion_id: string | null;
  contraparte: string | null;
}

/** A write that goes through the group-commit batcher. Amounts are validated cents. */
export type Operacion =
  | { tipo: 'crear'; cedula: string; nombres: string; apellidos: string; pinHash: string | null }
  | { tipo: 'depositar'; cedula: string; centavos: number; ref: string | null }
  | { tipo: 'retirar'; cedula: string; centavos: number; ref: string | null }
  | { tipo: 'transferir'; origen: string; destino: string; centavos: number; ref: string | null };

export type Exito =
  | { ok: true; tipo: 'crear'; cuenta: Cuenta }
  | {
      ok: true;
      tipo: 'depositar' | 'retirar';
      transaccion_id: string;
      cedula: string;
      monto: number;
      saldo_anterior: number;
      saldo_nuevo: number;
      /** The account's version after this change (CONTRACT §5), as in its events. */
      version: number;
    }
  | {
      ok: true;
      tipo: 'transferir';
      transaccion_id: string;
      origen: string;
      destino: string;
      monto: number;
      saldo_origen: number;
      saldo_destino: number;
      version_origen: number;
      version_destino: number;
    };

/** A ledger rule refused the operation; nothing changed. `cuenta` and `saldo` say which rule and why. */
export interface Rechazo {
  ok: false;
  code: ErrorCode;
  cuenta?: 'origen' | 'destino';
  saldo?: number; // cents, for SALDO_INSUFICIENTE
  /** Which amount rule failed, for MONTO_INVALIDO (the legacy protocol words each differently). */
  motivo?: 'formato' | 'no_positivo' | 'excede_maximo';
  /** Which parameter was wrong, for PARAMETRO_INVALIDO. */
  campo?: string;
}

export type Resultado = Exito | Rechazo;

/** A row for the outbox: committed with the movement, relayed to MQTT later (CONTRACT §5). */
export interface EventoOutbox {
  id: string;
  /** Topic below the configurable prefix, e.g. "transacciones" or "saldo/1350509525". */
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  payload: Record<string, unknown>;
}

export interface MovimientoNuevo {
  cedula: string;
  tipo: TipoMovimiento;
  monto: number;
  saldo_final: number;
  fecha: string;
  transaccion_id: string;
  contraparte: string | null;
}

export interface RefGuardada {
  huella: string;
  resultado: Resultado;
}

/**
 * An account as a batch sees it under lock, with its `version` (CONTRACT §5): 1 at creation, +1
 * with every committed balance change, in every process (the row lock orders the changes).
 */
export interface CuentaVersionada extends Cuenta {
  version: number;
}

/** What a batch reads under lock before the rules run. */
export interface Instantanea {
  cuentas: Map<string, CuentaVersionada>;
  refs: Map<string, RefGuardada>;
}

/** What a batch writes, in one transaction. */
export interface Cambios {
  /** New accounts, inserted with balance 0 and version 1. */
  nuevas: Array<Cuenta & { pinHash: string | null; fecha: string }>;
  /** Final balance and version of every account the batch changed (written after `nuevas` are inserted). */
  saldos: Map<string, { saldo: number; version: number }>;
  movimientos: MovimientoNuevo[];
  eventos: EventoOutbox[];
  refs: Array<{ ref: string } & RefGuardada>;
  fecha: string;
}

export interface PinEstado {
  pinHash: string | null;
  fallos: number;
  bloqueadoHastaMs: number | null;
}
