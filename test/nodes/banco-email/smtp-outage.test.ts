/**
 * The SMTP server is down for 30 s while 5 alerts arrive: none completes (done()) while it is
 * down, the status says it is retrying, and once it is back exactly 5 mails arrive, none twice.
 */
import { helper, sleep, waitUntil } from '../helpers/red';
import { TestSmtpServer } from '../helpers/smtp-server';
import { alert, credentialsFor, deploy, smtpNode } from './fixtures';

const OUTAGE_MS = 30_000;

describe('banco-email while the SMTP server is down', () => {
  let server: TestSmtpServer;

  beforeAll(async () => {
    server = await TestSmtpServer.start();
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.unload();
    await helper.stopServer();
    await server.stop();
  });

  test('5 alerts during a 30 s outage arrive as exactly 5 mails after it, none twice, each completed only then', async () => {
    // Backoff capped at 2 s (retryMaxS) so the test sees the return quickly; the tries bound is
    // high enough to outlast the outage.
    const d = await deploy({ retryMaxS: 2, tries: 100 }, smtpNode(server), credentialsFor(server));
    await waitUntil('the start-up login check', () => server.authAttempts >= 1);
    await server.down();
    const sent = new Set<string>();
    const start = Date.now();
    for (let i = 0; i < 5; i++) {
      const msg = alert('1350509525', 90 - i);
      sent.add(msg.eventId as string);
      d.send(msg);
      await sleep(OUTAGE_MS / 6);
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - start)));
    expect(d.out).toHaveLength(0);
    expect(d.caught).toHaveLength(0);
    expect(server.mails).toHaveLength(0);
    expect(d.lastStatus()).toMatch(/retrying/);
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'red', shape: 'ring' });
    await server.up();
    await waitUntil('5 mails', () => server.mails.length >= 5, 15_000);
    await waitUntil('5 completions', () => d.out.length === 5);
    await sleep(3_000); // a duplicate would arrive by now
    const ids = server.mails.map((m) => /Evento: (\S+)/.exec(m.parsed.text ?? '')?.[1]);
    expect(ids).toHaveLength(5);
    expect(new Set(ids)).toEqual(sent);
    // Up to batch_mails_max mails go out in parallel over the pool, so their order may vary.
    expect(server.mails.map((m) => m.parsed.subject).sort()).toEqual([86, 87, 88, 89, 90].map((s) => `Saldo bajo en la cuenta ******9525: $${s}.00`));
    expect(d.caught).toHaveLength(0);
    await waitUntil('status back to green', () => (d.statuses.at(-1)?.status as { fill?: string } | undefined)?.fill === 'green');
    expect(d.lastStatus()).toMatch(/sent/);
  }, 90_000);
});
