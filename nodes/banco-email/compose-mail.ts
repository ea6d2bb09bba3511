/**
 * Turns an alert (or a summary of counted alerts) and the node's templates into the mail to
 * queue. Rendering happens on arrival, so the queue holds finished mails and a retry sends the
 * same bytes' worth of content.
 */
import type { OutgoingMail } from '../banco-smtp/mailer';
import type { LowBalanceAlert, Overrides } from './email-input';
import { formatDate, formatMoney, maskCedula } from './format';
import { renderHtml, renderSubject, renderText, type MailView, type Templates } from './templates';
import type { Suppressed } from './throttle';

const NONE = '—';

export function viewOf(alert: LowBalanceAlert, resumen = ''): MailView {
  return {
    cedula: maskCedula(alert.cedula),
    nombre: alert.nombre ?? NONE,
    saldo: formatMoney(alert.saldo),
    saldo_anterior: alert.saldoAnterior === undefined ? NONE : formatMoney(alert.saldoAnterior),
    umbral: alert.umbral === undefined ? NONE : formatMoney(alert.umbral),
    fecha: alert.timestamp ? formatDate(new Date(alert.timestamp)) : formatDate(new Date()),
    mensaje: alert.mensaje ?? '',
    id: alert.id ?? NONE,
    resumen,
  };
}

/** "3 alertas más desde …" — the line a summary mail carries in {{resumen}}. */
export function summaryLine(s: Suppressed<LowBalanceAlert>): string {
  const what = s.count === 1 ? '1 alerta más' : `${s.count} alertas más`;
  return `${what} desde ${formatDate(new Date(s.since))} (se muestra la última).`;
}

export function composeAlertMail(alert: LowBalanceAlert, overrides: Overrides, to: readonly string[], t: Templates, resumen = ''): OutgoingMail {
  const view = viewOf(alert, resumen);
  return {
    id: alert.id,
    to: overrides.to ?? to,
    subject: overrides.subject ?? renderSubject(t.subject, view),
    text: overrides.text ?? renderText(t.text, view),
    html: overrides.html ?? renderHtml(t.html, view),
  };
}

export function composeSummaryMail(s: Suppressed<LowBalanceAlert>, to: readonly string[], t: Templates): OutgoingMail {
  const mail = composeAlertMail(s.latest, {}, to, t, summaryLine(s));
  // Its own id (dedupe must not take it for the alert it shows), unique because an alert is
  // counted in one summary only; no cédula in it, since it names the pickup file.
  return { ...mail, id: `resumen-${s.latest.id ?? s.since}` };
}
