/**
 * One readable line per bus event (CONTRACT §8: the legacy mqtt_subscriber.py), e.g.
 * `DEPÓSITO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00`. Payload fields are shown, never
 * trusted: control characters are removed (no terminal escapes from the wire) and long values cut.
 */
import { paint, type Color } from './colors';

export interface FormatOptions {
  color?: boolean;
  /** Topic prefix (BANCO_TOPIC_PREFIX); default `banco`. */
  prefix?: string;
}

/** Longest text shown for one field or an unknown payload. */
export const FIELD_CHARS_MAX = 120;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const DECIMAL = /^-?[0-9]+(\.[0-9]{1,2})?$/;

type Fields = Record<string, unknown>;

function text(value: unknown): string {
  if (value === undefined || value === null) return '?';
  const raw = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const clean = raw.replace(CONTROL, ' ');
  return clean.length > FIELD_CHARS_MAX ? clean.slice(0, FIELD_CHARS_MAX - 1) + '…' : clean;
}

/** Amounts arrive as JSON numbers with at most two decimals (CONTRACT §5); shown, never computed. */
export function money(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return `$${value.toFixed(2)}`;
  if (typeof value === 'string' && DECIMAL.test(value)) {
    const [whole, cents = ''] = value.split('.');
    return `$${whole}.${cents.padEnd(2, '0')}`;
  }
  return '$?';
}

const TIPO_LABEL: Record<string, string> = {
  DEPOSITO: 'DEPÓSITO',
  RETIRO: 'RETIRO',
  TRANSFERENCIA_ENVIADA: 'TRANSFERENCIA ENVIADA',
  TRANSFERENCIA_RECIBIDA: 'TRANSFERENCIA RECIBIDA',
};

function movement(label: string, p: Fields): string {
  return `${label}: ${money(p.monto)} - Cédula: ${text(p.cedula)} - Nuevo saldo: ${money(p.saldo_nuevo)}`;
}

function transfer(p: Fields): string {
  return `TRANSFERENCIA: ${money(p.monto)} - De: ${text(p.cedula_origen)} → A: ${text(p.cedula_destino)} - Saldo origen: ${money(p.saldo_origen)} - Saldo destino: ${money(p.saldo_destino)}`;
}

function balance(p: Fields, cedulaInTopic: string): string {
  return `SALDO: Cédula: ${text(p.cedula ?? cedulaInTopic)} - Anterior: ${money(p.saldo_anterior)} - Nuevo: ${money(p.saldo_nuevo)}`;
}

function alert(p: Fields): string {
  if (p.event === 'publisher_disconnected') return `ALERTA: publicador desconectado (${text(p.client_id)})`;
  const cedula = p.cedula === undefined ? '' : ` - Cédula: ${text(p.cedula)}`;
  return `ALERTA ${text(p.type)}: ${text(p.message)}${cedula}`;
}

function stats(p: Fields): string {
  return `ESTADÍSTICAS: Clientes conectados: ${text(p.clientes_conectados)} - Transacciones: ${text(p.total_transacciones)} - IPs activas: ${text(p.ips_activas)}`;
}

function parseObject(payload: string): Fields | null {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : null;
  } catch {
    return null;
  }
}

function describeEvent(kind: string, rest: string, p: Fields): [string, Color] | null {
  switch (kind) {
    case 'transacciones':
      return [movement(TIPO_LABEL[String(p.tipo)] ?? `TRANSACCIÓN ${text(p.tipo)}`, p), 'bold'];
    case 'depositos':
      return [movement('DEPÓSITO', p), 'green'];
    case 'retiros':
      return [movement('RETIRO', p), 'yellow'];
    case 'transferencias':
      return [transfer(p), 'cyan'];
    case 'saldo':
      return rest === '' ? null : [balance(p, rest), 'blue'];
    case 'alertas':
      return [alert(p), 'red'];
    case 'estadisticas':
      return [stats(p), 'magenta'];
    default:
      return null;
  }
}

export function formatEvent(topic: string, payload: Buffer | string, options: FormatOptions = {}): string {
  const prefix = options.prefix ?? 'banco';
  const color = options.color ?? false;
  const body = typeof payload === 'string' ? payload : payload.toString('utf8');
  const fields = parseObject(body);
  const relative = topic.startsWith(prefix + '/') ? topic.slice(prefix.length + 1) : null;
  const [kind, ...rest] = relative === null ? [''] : relative.split('/');
  const known = fields === null || relative === null ? null : describeEvent(kind, rest.join('/'), fields);
  if (known === null) return paint(`${text(topic)}: ${text(body)}`, 'dim', color);
  return paint(known[0], known[1], color);
}
