/**
 * banco-email: low-balance alerts (CONTRACT §5 `banco/alertas`) as mails to ops, through the mail
 * route of a banco-smtp config node (or, without one, the pickup folder `$DATA_DIR/mail/`).
 *
 * input → emailInputOf (validate) → only-on-crossing filter → per-cédula throttle → compose
 * (templates, escaping) → SinkQueue (bounded, retry with backoff, dedupe by event id) → mailer,
 * wired by runSinkNode: done() runs only once the server accepted the mail; refusals go to Catch.
 */
import type { NodeDef, NodeMessage, RedAPI, RedNode } from '../shared/node-red';
import { boundedInt } from '../shared/bounds';
import { SinkError } from '../shared/sink/sink-error';
import { SinkQueue } from '../shared/sink/sink-queue';
import { runSinkNode, type Connection, type Prepared } from '../shared/sink/sink-node';
import { PickupMailer, type Mailer, type OutgoingMail } from '../banco-smtp/mailer';
import { defaultPickupDir, type SmtpConfigNode } from '../banco-smtp/config-node';
import { DEFAULT_FROM, settingText } from '../banco-smtp/smtp-settings';
import { composeAlertMail, composeSummaryMail } from './compose-mail';
import { emailInputOf, parseRecipients, type LowBalanceAlert } from './email-input';
import { emailTransport } from './email-transport';
import { EMAIL_LIMITS as L, PICKUP_DEFAULT_TO } from './limits';
import { DEFAULT_TEMPLATES, templateOf, type Templates } from './templates';
import { CedulaThrottle, type Suppressed } from './throttle';

interface EmailDef extends NodeDef {
  smtp?: string;
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  throttleS?: string | number;
  crossingOnly?: boolean | string;
  queueMax?: string | number;
  retryMaxS?: string | number;
  tries?: string | number;
}

function recipientsOf(def: EmailDef, mailer: Mailer): { to: string[] } | { problem: string } {
  const text = settingText(def.to);
  if (text === undefined) return mailer.kind === 'pickup' ? { to: [PICKUP_DEFAULT_TO] } : { problem: 'no recipients: set "To" (or BANCO_ALERT_TO in the default tab)' };
  const to = parseRecipients(text);
  return typeof to === 'string' ? { problem: `To: ${to}` } : to.length === 0 ? { problem: 'no recipients' } : { to };
}

function queueFor(def: EmailDef, mailer: Mailer): SinkQueue<OutgoingMail> {
  const queueMax = boundedInt(def.queueMax, L.queue_mails_default, L.queue_mails_min, L.queue_mails_max);
  return new SinkQueue<OutgoingMail>(emailTransport(mailer), {
    queueMax,
    batchMax: Math.min(L.batch_mails_max, queueMax),
    lingerMs: 0,
    retry: {
      initial_ms: L.retry_initial_ms,
      max_ms: 1000 * boundedInt(def.retryMaxS, L.retry_max_s_default, L.retry_max_s_min, L.retry_max_s_max),
      attempts_max: boundedInt(def.tries, L.tries_default, L.tries_min, L.tries_max),
    },
    dedupeIds: L.dedupe_ids,
  });
}

/** The mail route's state as the sink status shows it (runSinkNode's Connection). */
function connectionOf(RED: RedAPI, mailer: Mailer, queue: SinkQueue<OutgoingMail>, problem: string | undefined): Connection {
  const t = (key: string, subs?: Record<string, string | number>) => RED._(`banco-email.status.${key}`, subs);
  if (problem) return { state: 'error', detail: `${t('unusable')}: ${problem}` };
  const m = mailer.state;
  if (m.state === 'failing' && m.code === 'auth') return { state: 'error', detail: `${t('authRefused')}: ${m.message}` };
  if (m.state === 'failing' && m.code !== 'transient') return { state: 'error', detail: m.message };
  if (mailer.kind === 'pickup') return m.state === 'failing' ? { state: 'error', detail: m.message } : { state: 'idle', detail: t('pickup', { sent: queue.stats().sent }) };
  if (m.state === 'failing') return { state: 'disconnected', detail: m.message };
  return { state: m.state === 'ready' ? 'connected' : 'connecting' };
}

export = function registerBancoEmail(RED: RedAPI): void {
  function BancoEmailNode(this: RedNode, def: EmailDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const smtp = def.smtp ? (RED.nodes.getNode(def.smtp) as SmtpConfigNode | null) : null;
    const ownMailer = smtp ? undefined : new PickupMailer(defaultPickupDir(RED.settings.userDir), DEFAULT_FROM);
    const mailer: Mailer = smtp?.mailer ?? (ownMailer as Mailer);
    smtp?.join(node.id);
    const recipients = recipientsOf(def, mailer);
    const problem = 'problem' in recipients ? recipients.problem : undefined;
    const templates: Templates = {
      subject: templateOf(def.subject, DEFAULT_TEMPLATES.subject),
      text: templateOf(def.text, DEFAULT_TEMPLATES.text),
      html: templateOf(def.html, DEFAULT_TEMPLATES.html),
    };
    const crossingOnly = def.crossingOnly === true || def.crossingOnly === 'true';
    const queue = queueFor(def, mailer);
    const throttle = new CedulaThrottle<LowBalanceAlert>(
      1000 * boundedInt(def.throttleS, L.throttle_s_default, L.throttle_s_min, L.throttle_s_max),
      L.throttle_cedulas_max,
      (s) => sendSummary(s),
    );

    /** A summary has no message of its own: a refusal is reported with node.error (Catch sees it). */
    function sendSummary(s: Suppressed<LowBalanceAlert>): void {
      if (!('to' in recipients)) return;
      const mail = composeSummaryMail(s, recipients.to, templates);
      queue.push(mail.id, mail).catch((err: SinkError) => node.error(err, { payload: { resumen: { alertas: s.count, subject: mail.subject } } }));
    }

    function prepare(msg: NodeMessage): Prepared<OutgoingMail> | SinkError | null {
      const input = emailInputOf(msg);
      if (input.kind === 'bad') return new SinkError('bad_input', input.message);
      if (input.kind === 'ignore') return null;
      const to = input.overrides.to ?? ('to' in recipients ? recipients.to : undefined);
      if (to === undefined) return new SinkError('bad_input', problem ?? 'no recipients');
      if (input.kind === 'custom') {
        const o = input.overrides;
        return { id: input.id, value: { id: input.id, to, subject: o.subject, text: o.text ?? '', html: o.html ?? '' } };
      }
      const { alert } = input;
      // Only on crossing: a withdrawal from an account that was already under the threshold is not news.
      if (crossingOnly && alert.saldoAnterior !== undefined && alert.umbral !== undefined && alert.saldoAnterior < alert.umbral) return null;
      if (throttle.admit(alert.cedula, alert) === 'counted') return null;
      const mail = composeAlertMail(alert, input.overrides, to, templates);
      return { id: mail.id, value: mail };
    }

    // Registered before runSinkNode's own close handler, so owed summaries join the flush.
    node.on('close', (_removed: boolean, done: () => void) => {
      for (const s of throttle.drain()) sendSummary(s);
      done();
    });
    const sink = runSinkNode<OutgoingMail>({
      RED,
      node,
      queue,
      prepare,
      connection: () => connectionOf(RED, mailer, queue, problem),
      output: (msg, result, mail) => ({ ...msg, mail: { id: mail.id, to: mail.to, subject: mail.subject, result } }),
      closeFlushMs: L.close_flush_ms,
      closeTransport: async () => {
        mailer.off('state', onState);
        smtp?.leave(node.id);
        ownMailer?.close();
      },
    });
    const onState = () => sink.refreshStatus();
    mailer.on('state', onState);
  }
  RED.nodes.registerType('banco-email', BancoEmailNode);
};
