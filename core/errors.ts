/**
 * Error codes on the wire (CONTRACT §4) and the one error class the hub throws for expected
 * failures. Each code has one human message (Spanish, as the legacy system spoke) and whether a
 * client may retry. docs/errors.md is tested against this table.
 */
export const ERROR_CODES = {
  JSON_INVALIDO: { message: 'La línea no es un objeto JSON válido', retriable: false },
  LINEA_DEMASIADO_LARGA: { message: 'Línea demasiado larga', retriable: false },
  OP_DESCONOCIDA: { message: 'Operación desconocida', retriable: false },
  PARAMETRO_INVALIDO: { message: 'Parámetro inválido', retriable: false },
  CEDULA_INVALIDA: { message: 'Cédula inválida', retriable: false },
  MONTO_INVALIDO: { message: 'Monto inválido', retriable: false },
  CLIENTE_NO_ENCONTRADO: { message: 'Cliente no encontrado', retriable: false },
  CLIENTE_YA_EXISTE: { message: 'Cliente ya existe', retriable: false },
  SALDO_INSUFICIENTE: { message: 'Saldo insuficiente', retriable: false },
  MISMA_CUENTA: { message: 'No se puede transferir a la misma cuenta', retriable: false },
  NO_AUTORIZADO: { message: 'No autorizado', retriable: false },
  PIN_INCORRECTO: { message: 'PIN incorrecto', retriable: false },
  CUENTA_BLOQUEADA: { message: 'Cuenta bloqueada temporalmente por intentos fallidos', retriable: true },
  REF_CONFLICTO: { message: 'La referencia ya se usó con otros parámetros', retriable: false },
  LIMITE_EXCEDIDO: { message: 'Límite excedido', retriable: true },
  NO_DISPONIBLE: { message: 'Servicio no disponible, intente de nuevo', retriable: true },
  /**
   * The database connection was lost during COMMIT and the core could not look up whether it
   * committed: not "try again" — the movement may have happened (issue 8; docs/errors.md).
   */
  RESULTADO_INCIERTO: { message: 'No se sabe si la operación se aplicó; consulte su saldo antes de repetirla', retriable: false },
  INTERNO: { message: 'Error interno', retriable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** An expected, operating failure: it carries a wire code, a message safe to show, and a cause. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /**
   * The failure belongs to a whole group-commit batch (e.g. lock contention that outlasted the
   * retries), not to the service: the batcher then retries each operation alone.
   */
  readonly batchWide: boolean;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code].message, options?: { cause?: unknown; batchWide?: boolean }) {
    super(message, options);
    this.name = 'HubError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.batchWide = options?.batchWide ?? false;
  }
}

/** Raised when settings are wrong; main prints its message as the one line of a failed start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Programmer errors crash loudly: they are bugs, never a client's input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
