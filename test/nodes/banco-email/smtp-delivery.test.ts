/**
 * banco-email + banco-smtp in a real Node-RED runtime against a real SMTP server (smtp-server:
 * STARTTLS on a CA-signed test certificate, AUTH only after STARTTLS); what the server received
 * is parsed with mailparser.
 */
import { helper, sleep, waitUntil } from '../helpers/red';
import { TestSmtpServer } from '../helpers/smtp-server';
import { alert, credentialsFor, deploy, OPS, smtpNode } from './fixtures';

describe('banco-email over SMTP with STARTTLS and AUTH', () => {
  let server: TestSmtpServer;

  beforeAll(async () => {
    server = await TestSmtpServer.start();
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await server.stop();
  });
  beforeEach(() => {
    server.mails.length = 0;
    server.authAttempts = 0;
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('a LOW_BALANCE alert becomes one Spanish mail to every recipient, with money formatted and the cédula masked', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    const msg = alert('1350509525', 50);
    d.send(msg);
    await waitUntil('the mail accepted and passed on', () => d.out.length === 1);
    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail.secure).toBe(true); // STARTTLS happened (AUTH is refused before it)
    expect(mail.user).toBe(server.user);
    expect(mail.rcptTo.sort()).toEqual([...OPS].sort());
    expect(mail.parsed.from?.value).toEqual([{ name: 'Banco Hub', address: 'alertas@banco.test' }]);
    expect(mail.parsed.subject).toBe('Saldo bajo en la cuenta ******9525: $50.00');
    expect(mail.parsed.text).toContain('Saldo bajo en la cuenta ******9525.');
    expect(mail.parsed.text).toContain('Saldo actual: $50.00');
    expect(mail.parsed.text).toContain('Saldo anterior: $450.25');
    expect(mail.parsed.text).toContain('Umbral de alerta: $100.00');
    expect(mail.parsed.text).toContain(`Evento: ${(msg.payload as { id: string }).id}`);
    expect(mail.parsed.text).not.toContain('1350509525');
    expect(mail.parsed.html).toContain('<tr><td>Saldo actual</td><td><b>$50.00</b></td></tr>');
    expect(String(mail.parsed.html)).not.toContain('1350509525');
    expect(d.out[0]).toMatchObject({ eventId: msg.eventId, mail: { result: 'sent', subject: 'Saldo bajo en la cuenta ******9525: $50.00' } });
    expect(d.caught).toHaveLength(0);
  });

  test('the same alert delivered twice (QoS redelivery) is mailed once', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    const msg = alert();
    d.send(msg);
    d.send(msg);
    await waitUntil('both messages completed', () => d.out.length === 2);
    expect(d.out.map((m) => (m.mail as { result: string }).result).sort()).toEqual(['duplicate', 'sent']);
    expect(server.mails).toHaveLength(1);
  });

  test('HTML and CR/LF in a name are escaped in the body and never reach a header', async () => {
    const d = await deploy({ subject: 'Saldo bajo: {{nombre}} {{cedula}}' }, smtpNode(server), credentialsFor(server));
    d.send(alert('1350509525', 12.5, { nombres: 'Eve\r\nBcc: victim@evil.test\r\n<script>alert(1)</script>', apellidos: '<b>&"x"</b>' }));
    await waitUntil('mail accepted', () => d.out.length === 1);
    const [mail] = server.mails;
    expect(mail.rcptTo.sort()).toEqual([...OPS].sort());
    expect(mail.parsed.bcc).toBeUndefined();
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.parsed.subject).toBe('Saldo bajo: Eve Bcc: victim@evil.test <script>alert(1)</script> <b>&"x"</b> ******9525');
    expect(mail.parsed.html).toContain('Eve Bcc: victim@evil.test &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;');
    expect(String(mail.parsed.html)).not.toContain('<script>');
    expect(d.caught).toHaveLength(0);
  });

  test('a payload without a cédula, or not an object, goes to Catch; nothing is sent and the node keeps working', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    d.send({ payload: { id: 'x1', type: 'LOW_BALANCE', message: 'Saldo bajo: $1.00', data: { saldo: 1 } } });
    d.send({ payload: 'not json' });
    d.send({ payload: { id: 'x2', type: 'LOW_BALANCE', cedula: '17\r\n12', data: { saldo: 1 } } });
    await waitUntil('three errors', () => d.caught.length === 3);
    expect(d.errors()[0]).toMatch(/without a valid cédula/);
    expect(d.errors()[1]).toMatch(/not valid JSON/);
    expect(d.errors()[2]).toMatch(/without a valid cédula \(got "17 12"\)/);
    d.send(alert());
    await waitUntil('a good alert after them', () => d.out.length === 1);
    expect(server.mails).toHaveLength(1);
  });

  test('the publisher\'s last will on banco/alertas is not a LOW_BALANCE alert: completed, not mailed', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    d.send({ topic: 'banco/alertas', payload: { event: 'publisher_disconnected', client_id: 'banco-core-1', id: 'w1', timestamp: '2026-12-03T14:00:00Z' } });
    d.send(alert());
    await waitUntil('the alert mailed', () => d.out.length === 1);
    expect(server.mails).toHaveLength(1);
    expect(d.caught).toHaveLength(0);
  });

  test('msg.to, msg.subject, msg.text and msg.html override the node\'s recipients and templates', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    d.send({ to: 'tesoreria@banco.test', subject: 'Cierre\r\nX-Evil: 1', text: 'texto libre', html: '<p>libre</p>', payload: 'ignored' });
    d.send({ to: 'a@b.test\r\nBcc: x@evil.test', subject: 's', text: 't' });
    await waitUntil('one sent, one refused', () => d.out.length === 1 && d.caught.length === 1);
    const [mail] = server.mails;
    expect(mail.rcptTo).toEqual(['tesoreria@banco.test']);
    expect(mail.parsed.subject).toBe('Cierre X-Evil: 1');
    expect(mail.parsed.headers.has('x-evil')).toBe(false);
    expect(mail.parsed.text?.trim()).toBe('texto libre');
    expect(mail.parsed.html).toContain('<p>libre</p>');
    expect(d.errors()[0]).toMatch(/msg\.to: not a plain e-mail address/);
  });

  test('a wrong password shows an auth error in the status and in Catch, and is not retried', async () => {
    const d = await deploy({ tries: 30 }, smtpNode(server), credentialsFor(server, 'wrong-password'));
    for (let i = 0; i < 3; i++) d.send(alert());
    await waitUntil('three auth errors', () => d.caught.length === 3);
    expect(d.errors().every((e) => /SMTP authentication refused .*535/.test(e))).toBe(true);
    await waitUntil('auth status', () => /authRefused/.test(d.lastStatus()));
    expect(d.lastStatus()).toMatch(/authRefused: SMTP authentication refused/);
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'red', shape: 'dot' });
    const attempts = server.authAttempts;
    // One login at start (the status check) and at most one per mail; then nothing more.
    expect(attempts).toBeLessThanOrEqual(4);
    await sleep(1_500);
    expect(server.authAttempts).toBe(attempts);
    expect(server.mails).toHaveLength(0);
    expect(d.out).toHaveLength(0);
  });

  test('a server certificate the settings do not trust is a permanent error naming the fix, not an endless retry', async () => {
    const d = await deploy({}, smtpNode(server, { caFile: '' }), credentialsFor(server));
    d.send(alert());
    await waitUntil('refused', () => d.caught.length === 1);
    expect(d.errors()[0]).toMatch(/certificate is not trusted: set a CA file, or tick "allow self-signed"/);
    expect(server.mails).toHaveLength(0);
  });

  test('"allow self-signed" ticked accepts the same server without a CA file', async () => {
    const d = await deploy({}, smtpNode(server, { caFile: '', allowSelfSigned: true }), credentialsFor(server));
    d.send(alert());
    await waitUntil('sent', () => d.out.length === 1);
    expect(server.mails).toHaveLength(1);
  });
});
