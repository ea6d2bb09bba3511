/**
 * What banco-email takes from a message (validated once, STYLE §10): a LOW_BALANCE alert
 * (CONTRACT §5 `banco/alertas`: type, message, cedula, data.saldo; extra data.saldo_anterior,
 * data.umbral), and/or the overrides msg.to, msg.subject, msg.text, msg.html. Anything else is a
 * typed result — ignore (another event on the alert topic, e.g. the publisher's last will) or
 * bad (to Catch) — never a throw.
 */
import type { NodeMessage } from '../shared/node-red';
import { eventIdOf, parseEvent, type BancoEvent } from '../shared/parse-event';
import { oneLine } from './format';
import { EMAIL_LIMITS } from './limits';

export interface LowBalanceAlert {
  id: string | undefined;
  cedula: string;
  saldo: number;
  saldoAnterior: number | undefined;
  umbral: number | undefined;
  timestamp: string | undefined;
  nombre: string | undefined;
  mensaje: string | undefined;
}

export interface Overrides {
  to?: string[];
  subject?: string;
  text?: string;
  html?: string;
}

export type EmailInput =
  | { kind: 'alert'; alert: LowBalanceAlert; overrides: Overrides }
  | { kind: 'custom'; id: string | undefined; overrides: Overrides & { subject: string } }
  | { kind: 'ignore'; reason: string }
  | { kind: 'bad'; message: string };

/** A plain address (no display name, comment or line break): what ops put in a To field. */
const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const CEDULA = /^[0-9]{1,15}$/;

/** `"a@x, b@y"` or `["a@x", "b@y"]` → addresses, or the reason they are refused. */
export function parseRecipients(value: unknown): string[] | string {
  const addresses: unknown[] | null = typeof value === 'string' ? value.split(/[,;]/).map((a) => a.trim()).filter((a) => a !== '') : Array.isArray(value) ? value : null;
  if (addresses === null) return 'recipients must be a string or an array of strings';
  if (addresses.length > EMAIL_LIMITS.recipients_max) return `more than ${EMAIL_LIMITS.recipients_max} recipients`;
  const bad = addresses.find((a) => typeof a !== 'string' || !ADDRESS.test(a));
  if (bad !== undefined) return `not a plain e-mail address: ${JSON.stringify(oneLine(String(bad), 80))}`;
  return addresses as string[];
}

function overridesOf(msg: NodeMessage): Overrides | string {
  const out: Overrides = {};
  if (msg.to !== undefined) {
    const to = parseRecipients(msg.to);
    if (typeof to === 'string') return `msg.to: ${to}`;
    if (to.length > 0) out.to = to;
  }
  for (const field of ['subject', 'text', 'html'] as const) {
    const v = msg[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `msg.${field} must be a string`;
    if (v.length > EMAIL_LIMITS.body_chars_max) return `msg.${field} is longer than ${EMAIL_LIMITS.body_chars_max} characters`;
    out[field] = field === 'subject' ? oneLine(v, EMAIL_LIMITS.subject_chars_max) : v;
  }
  return out;
}

function payloadOf(payload: unknown): BancoEvent | undefined | string {
  if (payload === undefined || payload === null || payload === '') return undefined;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    const parsed = parseEvent(payload);
    return parsed.ok ? parsed.event : parsed.message;
  }
  if (typeof payload === 'object' && !Array.isArray(payload)) return payload as BancoEvent;
  return 'msg.payload is not an event object';
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function alertOf(event: BancoEvent, msgEventId: unknown): LowBalanceAlert | string {
  const cedula = event.cedula;
  if (!(typeof cedula === 'string' && CEDULA.test(cedula))) return `LOW_BALANCE alert without a valid cédula (got ${JSON.stringify(oneLine(String(cedula), 40))})`;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const saldo = num(data.saldo);
  if (saldo === undefined) return 'LOW_BALANCE alert without data.saldo';
  const name = [str(event.nombres), str(event.apellidos)].filter(Boolean).join(' ') || str(event.nombre);
  const fromMsg = typeof msgEventId === 'string' || typeof msgEventId === 'number' ? String(msgEventId) : undefined;
  return {
    id: fromMsg ?? eventIdOf(event),
    cedula,
    saldo,
    saldoAnterior: num(data.saldo_anterior),
    umbral: num(data.umbral),
    timestamp: str(event.timestamp),
    nombre: name || undefined,
    mensaje: str(event.message),
  };
}

export function emailInputOf(msg: NodeMessage): EmailInput {
  const overrides = overridesOf(msg);
  if (typeof overrides === 'string') return { kind: 'bad', message: overrides };
  const parsed = payloadOf(msg.payload);
  const isMail = overrides.subject !== undefined && (overrides.text !== undefined || overrides.html !== undefined);
  // A complete mail in msg.subject/text/html needs no event: its payload may be anything.
  if (typeof parsed === 'string' && !isMail) return { kind: 'bad', message: parsed };
  const event = typeof parsed === 'string' ? undefined : parsed;
  if (event?.type === 'LOW_BALANCE') {
    const alert = alertOf(event, msg.eventId);
    return typeof alert === 'string' ? { kind: 'bad', message: alert } : { kind: 'alert', alert, overrides };
  }
  if (isMail && overrides.subject !== undefined) {
    const id = typeof msg.eventId === 'string' ? msg.eventId : event ? eventIdOf(event) : undefined;
    return { kind: 'custom', id, overrides: { ...overrides, subject: overrides.subject } };
  }
  if (event && (typeof event.type === 'string' || typeof event.event === 'string')) return { kind: 'ignore', reason: `not a LOW_BALANCE alert (${oneLine(String(event.type ?? event.event), 40)})` };
  return { kind: 'bad', message: 'neither a LOW_BALANCE alert (msg.payload) nor a mail (msg.subject with msg.text or msg.html)' };
}
