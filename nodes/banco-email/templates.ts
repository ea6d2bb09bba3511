/**
 * The mail's subject, text and HTML from editable templates with `{{name}}` placeholders. Only the
 * names below exist; any other `{{…}}` renders empty. Values are made safe for where they land:
 * one line everywhere (no CR/LF can reach a header or fake a new paragraph), HTML-escaped in the
 * HTML body. The templates themselves are the node's own settings and are used as written.
 */
import { escapeHtml, oneLine } from './format';
import { EMAIL_LIMITS } from './limits';

export const PLACEHOLDERS = ['cedula', 'nombre', 'saldo', 'saldo_anterior', 'umbral', 'fecha', 'mensaje', 'id', 'resumen'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type MailView = Record<Placeholder, string>;

export interface Templates {
  subject: string;
  text: string;
  html: string;
}

export const DEFAULT_TEMPLATES: Templates = {
  subject: 'Saldo bajo en la cuenta {{cedula}}: {{saldo}}',
  text: [
    'Saldo bajo en la cuenta {{cedula}}.',
    '',
    'Titular: {{nombre}}',
    'Saldo actual: {{saldo}}',
    'Saldo anterior: {{saldo_anterior}}',
    'Umbral de alerta: {{umbral}}',
    'Fecha: {{fecha}}',
    '{{resumen}}',
    'Evento: {{id}}',
    '',
    '-- ',
    'Banco Hub: alerta automática, no responda a este correo.',
    '',
  ].join('\n'),
  html: [
    '<p><b>Saldo bajo en la cuenta {{cedula}}.</b></p>',
    '<table>',
    '<tr><td>Titular</td><td>{{nombre}}</td></tr>',
    '<tr><td>Saldo actual</td><td><b>{{saldo}}</b></td></tr>',
    '<tr><td>Saldo anterior</td><td>{{saldo_anterior}}</td></tr>',
    '<tr><td>Umbral de alerta</td><td>{{umbral}}</td></tr>',
    '<tr><td>Fecha</td><td>{{fecha}}</td></tr>',
    '</table>',
    '<p>{{resumen}}</p>',
    '<p style="color:#666">Evento {{id}}. Banco Hub: alerta automática, no responda a este correo.</p>',
  ].join('\n'),
};

const SLOT = /\{\{\s*([a-z_]+)\s*\}\}/g;

function fill(template: string, view: MailView, encode: (value: string) => string): string {
  return template.replace(SLOT, (_all, name: string) => {
    const value = (PLACEHOLDERS as readonly string[]).includes(name) ? view[name as Placeholder] : '';
    return encode(oneLine(value, EMAIL_LIMITS.value_chars_max));
  });
}

export function renderSubject(template: string, view: MailView): string {
  return oneLine(fill(template, view, (v) => v), EMAIL_LIMITS.subject_chars_max);
}

export function renderText(template: string, view: MailView): string {
  return fill(template, view, (v) => v).slice(0, EMAIL_LIMITS.body_chars_max);
}

export function renderHtml(template: string, view: MailView): string {
  return fill(template, view, escapeHtml).slice(0, EMAIL_LIMITS.body_chars_max);
}

/** A node's template setting, or the default when empty; cut to the bound. */
export function templateOf(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.slice(0, EMAIL_LIMITS.template_chars_max) : fallback;
}
