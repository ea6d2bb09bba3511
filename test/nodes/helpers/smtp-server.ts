/**
 * A real SMTP server for the mail tests (the `smtp-server` package): STARTTLS on a certificate
 * signed by a throw-away CA (test/broker/certs.ts), AUTH PLAIN/LOGIN only after STARTTLS, and
 * every accepted mail parsed with mailparser. It can be stopped and started again on the same
 * port to play an outage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { makeTestCerts, type TestCerts } from '../../broker/certs';
import { freePort } from '../../helpers/ports';

export interface ReceivedMail {
  parsed: ParsedMail;
  /** RCPT TO of the envelope. */
  rcptTo: string[];
  user: string | undefined;
  secure: boolean;
}

let sharedCerts: TestCerts | undefined;

export function testCerts(): TestCerts {
  sharedCerts ??= makeTestCerts(fs.mkdtempSync(path.join(os.tmpdir(), 'banco-smtp-certs-')));
  return sharedCerts;
}

export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  authAttempts = 0;
  private server: SMTPServer | undefined;

  private constructor(readonly port: number, readonly user: string, readonly password: string, private readonly extra: Partial<SMTPServerOptions>) {}

  static async start(opts: { user?: string; password?: string; extra?: Partial<SMTPServerOptions> } = {}): Promise<TestSmtpServer> {
    const s = new TestSmtpServer(await freePort(), opts.user ?? 'ops-mailer', opts.password ?? 'correct-horse-1', opts.extra ?? {});
    await s.up();
    return s;
  }

  get caFile(): string {
    return testCerts().caFile;
  }

  async up(): Promise<void> {
    const certs = testCerts();
    const server = new SMTPServer({
      secure: false,
      key: fs.readFileSync(certs.keyFile),
      cert: fs.readFileSync(certs.certFile),
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false,
      logger: false,
      onAuth: (auth, _session, cb) => {
        this.authAttempts += 1;
        if (auth.username === this.user && auth.password === this.password) return cb(null, { user: auth.username });
        return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData: (stream, session, cb) => {
        simpleParser(stream).then(
          (parsed) => {
            this.mails.push({ parsed, rcptTo: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, secure: session.secure });
            cb();
          },
          (err: Error) => cb(err),
        );
      },
      ...this.extra,
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and drops open connections (pooled clients see the server vanish). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    // smtp-server waits for open connections to end; end them now, as a crash would.
    for (const conn of (server as unknown as { connections: Set<{ close(): void }> }).connections ?? []) conn.close();
    await closing;
  }

  async stop(): Promise<void> {
    await this.down();
  }
}
