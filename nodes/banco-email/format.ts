/**
 * How values appear in a mail: money as `$1,234.50` (integer cents, CONTRACT §2; the `$X.XX`
 * of the legacy alert text), the cédula partly masked (only the last four digits shown), dates
 * in Spanish in the bank's time zone, and the escaping for HTML bodies and header values.
 */
import { MAIL_TIME_ZONE } from './limits';

export function formatMoney(amount: number): string {
  const cents = Math.round(amount * 100);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${units}.${String(abs % 100).padStart(2, '0')}`;
}

/** `1350509525` → `******9525`; keys of four digits or fewer are masked whole. */
export function maskCedula(cedula: string): string {
  const shown = cedula.length > 4 ? cedula.slice(-4) : '';
  return '*'.repeat(cedula.length - shown.length) + shown;
}

const DATE = new Intl.DateTimeFormat('es-EC', { dateStyle: 'medium', timeStyle: 'medium', timeZone: MAIL_TIME_ZONE });

export function formatDate(at: Date): string {
  return Number.isNaN(at.getTime()) ? '—' : DATE.format(at);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** One line of plain text: control characters (CR, LF, TAB, NUL…) become spaces, then cut. */
export function oneLine(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim().slice(0, maxChars);
}
