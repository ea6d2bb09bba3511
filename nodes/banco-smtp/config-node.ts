/** What a banco-smtp config node offers the nodes that use it, and how it picks its mailer. */
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { RedNode } from '../shared/node-red';
import { SinkError } from '../shared/sink/sink-error';
import { PickupMailer, SmtpMailer, type Mailer, type MailerState, type OutgoingMail } from './mailer';
import { readSmtpSettings, type SmtpCredentials, type SmtpDef } from './smtp-settings';

export interface SmtpConfigNode extends RedNode {
  mailer: Mailer;
  /** A user node registers on start and leaves once its queue is flushed. */
  join(userId: string): void;
  leave(userId: string): void;
}

/** `$DATA_DIR/mail`, else under the Node-RED user directory (CONTRACT §1 DATA_DIR: mail pickup folder). */
export function defaultPickupDir(userDir: string | undefined): string {
  return path.resolve(process.env.DATA_DIR || userDir || process.cwd(), 'mail');
}

/** Settings that cannot work: every send fails at once with the reason, which the users show. */
class UnusableMailer extends EventEmitter<{ state: [MailerState] }> implements Mailer {
  readonly kind = 'smtp' as const;
  readonly target = 'unusable settings';
  readonly state: MailerState;

  constructor(readonly from: string, private readonly reason: string) {
    super();
    this.state = { state: 'failing', code: 'permanent', message: reason };
  }

  send(_mail: OutgoingMail): Promise<void> {
    return Promise.reject(new SinkError('permanent', `banco-smtp settings unusable: ${this.reason}`));
  }

  close(): void {}
}

export function mailerFor(def: SmtpDef, creds: SmtpCredentials, userDir: string | undefined): Mailer {
  const plan = readSmtpSettings(def, creds);
  if (plan.mode === 'pickup') return new PickupMailer(defaultPickupDir(userDir), plan.from);
  if (plan.mode === 'error') return new UnusableMailer(plan.from, plan.message);
  const mailer = new SmtpMailer(plan.options, plan.from, plan.target);
  // The outcome is in mailer.state (shown by the users); a failed check is not an error here.
  mailer.verify().catch(() => undefined);
  return mailer;
}

