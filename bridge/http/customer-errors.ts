/**
 * The customer page's error replies: `{error: {code, message}}` with an HTTP status, the code from
 * the core's table (core/errors.ts) and a message in Spanish a customer can act on. Internal
 * details never reach the page.
 */
import type { Response } from 'express';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../../core/errors';

const STATUS: Partial<Record<ErrorCode, number>> = {
  JSON_INVALIDO: 400,
  OP_DESCONOCIDA: 404,
  PARAMETRO_INVALIDO: 400,
  CEDULA_INVALIDA: 400,
  MONTO_INVALIDO: 400,
  MISMA_CUENTA: 400,
  CLIENTE_NO_ENCONTRADO: 404,
  SALDO_INSUFICIENTE: 409,
  REF_CONFLICTO: 409,
  NO_AUTORIZADO: 401,
  PIN_INCORRECTO: 401,
  CUENTA_BLOQUEADA: 423,
  LIMITE_EXCEDIDO: 429,
  NO_DISPONIBLE: 503,
  RESULTADO_INCIERTO: 503,
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  PIN_INCORRECTO: 'Cédula o PIN incorrectos. Tras 5 intentos fallidos la cuenta se bloquea temporalmente.',
  CUENTA_BLOQUEADA: 'Su cuenta está bloqueada temporalmente por demasiados intentos fallidos de PIN. Espere 15 minutos e intente de nuevo.',
  NO_AUTORIZADO: 'Su sesión terminó o no es válida. Ingrese de nuevo.',
  SALDO_INSUFICIENTE: 'Saldo insuficiente para esta operación.',
  MISMA_CUENTA: 'No puede transferir a su propia cuenta.',
  REF_CONFLICTO: 'Esta operación ya se envió con otros datos. Recargue la página e intente de nuevo.',
  LIMITE_EXCEDIDO: 'Demasiadas solicitudes. Espere un momento e intente de nuevo.',
  NO_DISPONIBLE: 'El servicio no está disponible ahora. Intente de nuevo en unos segundos.',
  CEDULA_INVALIDA: 'La cédula debe tener 10 dígitos.',
  INTERNO: 'Ocurrió un error inesperado. Intente de nuevo.',
};

export function sendError(res: Response, code: ErrorCode, message?: string): void {
  res.status(STATUS[code] ?? 500).json({ error: { code, message: message ?? MESSAGES[code] ?? ERROR_CODES[code].message } });
}

/** Relays a core refusal (`{ok:false, error:{code, message}}`), with the customer's wording. */
export function sendCoreError(res: Response, reply: Record<string, unknown>, wording: Partial<Record<ErrorCode, string>> = {}): void {
  const err = (reply.error ?? {}) as { code?: unknown; message?: unknown; cuenta?: unknown };
  const code: ErrorCode = isErrorCode(err.code) ? err.code : 'INTERNO';
  const coreMessage = code === 'MONTO_INVALIDO' && typeof err.message === 'string' ? err.message : undefined;
  sendError(res, code, wording[code] ?? coreMessage);
}
