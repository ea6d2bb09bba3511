/**
 * banco-email: low-balance alerts (CONTRACT §5 `banco/alertas`) as mails to ops, through the mail
 * route of a banco-smtp config node (or, without one, the pickup folder `$DATA_DIR/mail/`).
 *
 * input → emailInputOf (validate) → only-on-crossing filter → per-cédula throttle → compose
 * (templates, escaping) → SinkQueue (bounded, ordered, retry with backoff, dedupe by event id)
 * → mailer. done() runs only once the server accepted the mail; refusals go to Catch.
 */
import type { DoneFn, NodeDef, NodeMessage, NodeStatus, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { boundedInt } from '../shared/bounds';
import { SinkError } from '../shared/sink/sink-error';
import { SinkQueue } from '../shared/sink/sink-queue';
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

export = function registerBancoEmail(RED: RedAPI): void {
  function BancoEmailNode(this: RedNode, def: EmailDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const smtp = def.smtp ? (RED.nodes.getNode(def.smtp) as SmtpConfigNode | null) : null;
    const ownMailer = smtp ? undefined : new PickupMailer(defaultPickupDir(RED.settings.userDir), DEFAULT_FROM);
    const mailer: Mailer = smtp?.mailer ?? (ownMailer as Mailer);
    smtp?.join(node.id);
    const recipients = recipientsOf(def, mailer);
    const templates: Templates = {
      subject: templateOf(def.subject, DEFAULT_TEMPLATES.subject),
      text: templateOf(def.text, DEFAULT_TEMPLATES.text),
      html: templateOf(def.html, DEFAULT_TEMPLATES.html),
    };
    const crossingOnly = def.crossingOnly === true || def.crossingOnly === 'true';
    const queue = new SinkQueue<OutgoingMail>(emailTransport(mailer), {
      queueMax: boundedInt(def.queueMax, L.queue_mails_default, L.queue_mails_min, L.queue_mails_max),
      batchMax: L.batch_mails_max,
      lingerMs: 0,
      retry: {
        initial_ms: L.retry_initial_ms,
        max_ms: 1000 * boundedInt(def.retryMaxS, L.retry_max_s_default, L.retry_max_s_min, L.retry_max_s_max),
        attempts_max: boundedInt(def.tries, L.tries_default, L.tries_min, L.tries_max),
      },
      dedupeIds: L.dedupe_ids,
    });
    const counts = { ignored: 0 };
    const throttle = new CedulaThrottle<LowBalanceAlert>(
      1000 * boundedInt(def.throttleS, L.throttle_s_default, L.throttle_s_min, L.throttle_s_max),
      L.throttle_cedulas_max,
      (s) => sendSummary(s),
    );
    const status = statusReporter(RED, node, mailer, queue, throttle, () => ('problem' in recipients ? recipients.problem : undefined));

    function enqueue(mail: OutgoingMail, msg: NodeMessage | undefined, send: SendFn | undefined, done: DoneFn | undefined): void {
      queue.push(mail.id, mail).then(
        (result) => {
          send?.({ ...msg, mail: { id: mail.id, to: mail.to, subject: mail.subject, result } });
          done?.();
        },
        (err: SinkError) => {
          if (done) done(err);
          else node.error(err, { payload: { mail: { id: mail.id, subject: mail.subject } } });
        },
      );
      status.soon();
    }

    function sendSummary(s: Suppressed<LowBalanceAlert>): void {
      if ('problem' in recipients) return;
      enqueue(composeSummaryMail(s, recipients.to, templates), undefined, undefined, undefined);
    }

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const input = emailInputOf(msg);
      if (input.kind === 'bad') return done(new SinkError('bad_input', input.message));
      if (input.kind === 'ignore') {
        counts.ignored += 1;
        return done();
      }
      const to = input.overrides.to ?? ('to' in recipients ? recipients.to : undefined);
      if (to === undefined) return done(new SinkError('bad_input', 'problem' in recipients ? recipients.problem : 'no recipients'));
      if (input.kind === 'custom') {
        const o = input.overrides;
        return enqueue({ id: input.id, to, subject: o.subject, text: o.text ?? '', html: o.html ?? '' }, msg, send, done);
      }
      const { alert } = input;
      // Only on crossing: a withdrawal from an account that was already under the threshold is not news.
      if (crossingOnly && alert.saldoAnterior !== undefined && alert.umbral !== undefined && alert.saldoAnterior < alert.umbral) {
        counts.ignored += 1;
        return done();
      }
      if (throttle.admit(alert.cedula, alert) === 'counted') {
        status.soon();
        return done();
      }
      enqueue(composeAlertMail(alert, input.overrides, to, templates), msg, send, done);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      // Summaries still owed go out with the flush rather than vanish with the timers.
      for (const s of throttle.drain()) sendSummary(s);
      void queue.close(L.close_flush_ms).then(({ unsent }) => {
        if (unsent > 0) node.warn(`closed with ${unsent} mail(s) not delivered`);
        status.stop();
        smtp?.leave(node.id);
        ownMailer?.close();
        done();
      });
    });
  }
  RED.nodes.registerType('banco-email', BancoEmailNode);
};

/** The node's status, from the queue's stats and the mailer's last contact; refreshed at most every status_interval_ms. */
function statusReporter(RED: RedAPI, node: RedNode, mailer: Mailer, queue: SinkQueue<OutgoingMail>, throttle: CedulaThrottle<LowBalanceAlert>, problem: () => string | undefined) {
  let timer: NodeJS.Timeout | undefined;
  const t = (key: string) => RED._(`banco-email.status.${key}`);
  function compute(): NodeStatus {
    const p = problem();
    if (p) return { fill: 'red', shape: 'dot', text: `${t('unusable')}: ${p}` };
    const s = queue.stats();
    const counted = throttle.pending();
    const tail = `${t('sent')} ${s.sent}` + (s.backlog ? `, ${t('waiting')} ${s.backlog}` : '') + (counted ? `, ${t('counted')} ${counted}` : '') + (s.failed ? `, ${t('failed')} ${s.failed}` : '');
    if (s.failingAttempts > 0 && s.lastError) return { fill: 'yellow', shape: 'ring', text: `${t('retrying')} (${s.failingAttempts}): ${s.lastError.code} · ${tail}` };
    const m = mailer.state;
    if (m.state === 'failing') {
      const fill = m.code === 'transient' ? 'yellow' : 'red';
      return { fill, shape: m.code === 'auth' ? 'dot' : 'ring', text: `${m.code === 'auth' ? t('authRefused') : t('failing')}: ${m.code} ${m.message.slice(0, 80)} · ${tail}` };
    }
    if (mailer.kind === 'pickup') return { fill: 'grey', shape: 'dot', text: `${t('pickup')} (BANCO_SMTP_URL) · ${tail}` };
    return { fill: 'green', shape: m.state === 'ready' ? 'dot' : 'ring', text: `${mailer.target} · ${tail}` };
  }
  const show = () => {
    timer = undefined;
    node.status(compute());
  };
  const soon = () => {
    timer ??= setTimeout(show, L.status_interval_ms);
  };
  queue.on('change', soon);
  mailer.on('state', soon);
  show();
  return {
    soon,
    stop() {
      if (timer) clearTimeout(timer);
      mailer.off('state', soon);
    },
  };
}
