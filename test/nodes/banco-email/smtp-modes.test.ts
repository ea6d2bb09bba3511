/**
 * The other ways to reach a server, and the edges: implicit TLS, a server that does not offer the
 * required STARTTLS, unusable settings, a full queue, and the flush when the node closes.
 */
import { helper, waitUntil } from '../helpers/red';
import { TestSmtpServer } from '../helpers/smtp-server';
import { alert, credentialsFor, deploy, smtpNode } from './fixtures';

describe('banco-smtp security modes and banco-email edges', () => {
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
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('implicit TLS (smtps://) delivers with the CA file', async () => {
    const tls = await TestSmtpServer.start({ extra: { secure: true } });
    try {
      const d = await deploy({}, { id: 's1', type: 'banco-smtp', url: `smtps://127.0.0.1:${tls.port}`, caFile: tls.caFile, from: 'alertas@banco.test' }, credentialsFor(tls));
      d.send(alert());
      await waitUntil('sent', () => d.out.length === 1);
      expect(tls.mails).toHaveLength(1);
      expect(tls.mails[0].secure).toBe(true);
    } finally {
      await helper.unload();
      await tls.stop();
    }
  });

  test('a server that does not offer the required STARTTLS is refused for good, and no password goes out in clear', async () => {
    const plain = await TestSmtpServer.start({ extra: { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } });
    try {
      const d = await deploy({}, smtpNode(plain), credentialsFor(plain));
      d.send(alert());
      await waitUntil('refused', () => d.caught.length === 1);
      expect(d.errors()[0]).toMatch(/STARTTLS/i);
      expect(plain.authAttempts).toBe(0);
      expect(plain.mails).toHaveLength(0);
    } finally {
      await helper.unload();
      await plain.stop();
    }
  });

  test('unusable settings show a red status and refuse each alert with the reason', async () => {
    const d = await deploy({}, { id: 's1', type: 'banco-smtp', url: 'http://mail.example.com' });
    d.send(alert());
    await waitUntil('refused', () => d.caught.length === 1);
    await waitUntil('red status', () => /unsupported SMTP URL scheme http:/.test(d.lastStatus()));
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'red', shape: 'dot' });
    expect(d.errors()[0]).toMatch(/settings unusable: unsupported SMTP URL scheme http:/);
  });

  test('a server without recipients configured refuses alerts with a clear error', async () => {
    const d = await deploy({ to: '${BANCO_ALERT_TO}' }, smtpNode(server), credentialsFor(server));
    d.send(alert());
    await waitUntil('refused', () => d.caught.length === 1);
    expect(d.errors()[0]).toMatch(/no recipients: set "To" \(or BANCO_ALERT_TO/);
    expect(server.mails).toHaveLength(0);
  });

  test('past the queue bound a new alert goes to Catch as queue_full; the queued ones are sent', async () => {
    await server.down();
    const d = await deploy({ queueMax: 2, retryMaxS: 1 }, smtpNode(server), credentialsFor(server));
    for (let i = 0; i < 4; i++) d.send(alert('1350509525', 10 + i));
    await waitUntil('two refused', () => d.caught.length === 2);
    expect(d.errors().every((e) => /queue full: 2 items waiting/.test(e))).toBe(true);
    await server.up();
    await waitUntil('the two queued sent', () => d.out.length === 2, 15_000);
    expect(server.mails.map((m) => m.parsed.subject).sort()).toEqual(['Saldo bajo en la cuenta ******9525: $10.00', 'Saldo bajo en la cuenta ******9525: $11.00']);
  });

  test('closing the node (redeploy, shutdown) first sends what is queued', async () => {
    const d = await deploy({}, smtpNode(server), credentialsFor(server));
    for (let i = 0; i < 20; i++) d.send(alert('1350509525', 20 + i));
    // Messages reach the node asynchronously; close once the first mail shows the rest are queued.
    await waitUntil('the first mail', () => server.mails.length >= 1);
    expect(server.mails.length).toBeLessThan(20);
    await helper.unload();
    expect(server.mails).toHaveLength(20);
    expect(d.caught).toHaveLength(0);
  });

  test('the pool\'s rate limit holds mails back: at 1 mail per minute on one connection the second one waits', async () => {
    // nodemailer checks the rate when a connection frees up, so a window may start with up to
    // Connections mails at once (docs/node-red.md); with one connection the bound is exact.
    const d = await deploy({}, smtpNode(server, { rateLimit: 1, maxConnections: 1 }), credentialsFor(server));
    d.send(alert('1350509525', 1));
    d.send(alert('1720304050', 2));
    await waitUntil('the first mail', () => server.mails.length >= 1);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(server.mails).toHaveLength(1);
    // Both mails are one queue batch: the first completes together with the second (docs/node-red.md).
    expect(d.out).toHaveLength(0);
  }, 30_000);
});
