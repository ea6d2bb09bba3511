/**
 * What a banco-smtp node hands to the nodes that send mail: one `Mailer`, either
 *
 * - **smtp**: one pooled nodemailer transport (connections and rate bounded, SMTP_LIMITS), or
 * - **pickup**: the embedded default with no server configured — each mail is rendered by
 *   nodemailer's stream transport and written as one `.eml` file into the pickup folder
 *   (`$DATA_DIR/mail/`), atomically: a temporary file, fsync, then rename, so a reader never
 *   sees half a mail and a crash leaves at most a `.tmp` file behind.
 *
 * `send` resolves once the server accepted the mail (250 after DATA) or the file is in place;
 * it rejects with nodemailer's error, which classify-smtp-error.ts sorts.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { classifySmtpError } from './classify-smtp-error';
import { SMTP_LIMITS } from './limits';

export interface OutgoingMail {
  /** Event id (or summary id): names the pickup file; never a header. */
  id: string | undefined;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
}

/** unknown: nothing sent or checked yet; ready: the last contact succeeded; failing: it did not. */
export type MailerState = { state: 'unknown' | 'ready' } | { state: 'failing'; code: string; message: string };

export interface Mailer extends EventEmitter<{ state: [MailerState] }> {
  readonly kind: 'smtp' | 'pickup';
  /** Where mail goes, without secrets: `smtp://host:587` or the pickup folder. */
  readonly target: string;
  readonly from: string;
  readonly state: MailerState;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

function mailOptions(from: string, mail: OutgoingMail): Mail.Options {
  // Every header value is plain text here: nodemailer encodes it (RFC 2047) and the callers
  // already removed line breaks, so no value can start a header of its own.
  return { from, to: [...mail.to], subject: mail.subject, text: mail.text, html: mail.html, disableFileAccess: true, disableUrlAccess: true };
}

abstract class BaseMailer extends EventEmitter<{ state: [MailerState] }> {
  state: MailerState = { state: 'unknown' };

  protected note(next: MailerState): void {
    const same = next.state === this.state.state && (next.state !== 'failing' || (this.state.state === 'failing' && this.state.message === next.message));
    this.state = next;
    if (!same) this.emit('state', next);
  }

  protected async tracked(sending: Promise<unknown>): Promise<void> {
    try {
      await sending;
      this.note({ state: 'ready' });
    } catch (err) {
      const e = classifySmtpError(err);
      // The server answered and refused this one mail (5yz): the route itself works.
      const answered = typeof (err as { responseCode?: unknown })?.responseCode === 'number';
      this.note(e.code === 'permanent' && answered ? { state: 'ready' } : { state: 'failing', code: e.code, message: e.message });
      throw err;
    }
  }
}

export class SmtpMailer extends BaseMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: Mail;

  constructor(options: SMTPPool.Options, readonly from: string, readonly target: string) {
    super();
    this.transport = nodemailer.createTransport({ ...options, pool: true });
  }

  send(mail: OutgoingMail): Promise<void> {
    return this.tracked(this.transport.sendMail(mailOptions(this.from, mail)));
  }

  /** One connection + login at start, so the status shows a wrong password before the first alert. */
  verify(): Promise<void> {
    return this.tracked(this.transport.verify());
  }

  close(): void {
    this.transport.close();
  }
}

function safeName(id: string | undefined): string {
  const cleaned = (id ?? 'mail').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, SMTP_LIMITS.pickup_name_chars_max);
  return cleaned.replace(/^\.+/, '_') || 'mail';
}

export class PickupMailer extends BaseMailer implements Mailer {
  readonly kind = 'pickup' as const;
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  private sequence = 0;

  constructor(readonly dir: string, readonly from: string, private readonly filesMax: number = SMTP_LIMITS.pickup_files_max) {
    super();
  }

  get target(): string {
    return this.dir;
  }

  send(mail: OutgoingMail): Promise<void> {
    return this.tracked(this.write(mail));
  }

  private async write(mail: OutgoingMail): Promise<void> {
    const info = await this.transport.sendMail(mailOptions(this.from, mail));
    const message = info.message as unknown as Buffer;
    await fs.mkdir(this.dir, { recursive: true });
    // Time first, so `ls` lists the mails in the order they were written.
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${stamp}-${String(++this.sequence).padStart(4, '0')}-${safeName(mail.id)}.eml`;
    const tmp = path.join(this.dir, `.${name}.tmp`);
    const handle = await fs.open(tmp, 'w', 0o640);
    try {
      await handle.writeFile(message);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path.join(this.dir, name));
    if ((this.sequence - 1) % SMTP_LIMITS.pickup_prune_every_writes === 0) await this.prune();
  }

  /** Keeps the newest `filesMax` mails: names start with the time, so name order is age order. */
  private async prune(): Promise<void> {
    const mails = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.eml')).sort();
    for (const old of mails.slice(0, Math.max(0, mails.length - this.filesMax))) await fs.rm(path.join(this.dir, old), { force: true });
  }

  close(): void {
    this.transport.close();
  }
}
