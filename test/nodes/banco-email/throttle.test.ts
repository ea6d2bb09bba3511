/** 100 alerts for one cédula inside the throttle window: one mail now, one with the count later. */
import { helper, sleep, waitUntil } from '../helpers/red';
import { TestSmtpServer } from '../helpers/smtp-server';
import { alert, credentialsFor, deploy, smtpNode } from './fixtures';

const WINDOW_S = 3;

describe('banco-email throttle per cédula', () => {
  let server: TestSmtpServer;

  beforeAll(async () => {
    server = await TestSmtpServer.start();
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await server.stop();
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('100 alerts for one cédula within the window give one mail at once and one "99 alertas más" after it', async () => {
    const d = await deploy({ throttleS: WINDOW_S }, smtpNode(server), credentialsFor(server));
    const first = Date.now();
    for (let i = 0; i < 100; i++) d.send(alert('0912345678', 99 - i * 0.5));
    d.send(alert('1350509525', 10)); // another cédula has its own window
    await waitUntil('the first mails', () => server.mails.length >= 2);
    await sleep(500);
    expect(server.mails).toHaveLength(2);
    expect(server.mails.map((m) => m.parsed.subject).sort()).toEqual(['Saldo bajo en la cuenta ******0000: $99.00'.replace('0000', '5678'), 'Saldo bajo en la cuenta ******9525: $10.00'].sort());
    await waitUntil('the summary', () => server.mails.length >= 3, (WINDOW_S + 5) * 1000);
    expect(Date.now() - first).toBeGreaterThanOrEqual(WINDOW_S * 1000 - 100);
    const summary = server.mails[2];
    expect(summary.parsed.subject).toBe('Saldo bajo en la cuenta ******5678: $49.50'); // the latest alert
    expect(summary.parsed.text).toMatch(/99 alertas más desde .+\(se muestra la última\)\./);
    expect(summary.parsed.html).toMatch(/99 alertas más desde/);
    await sleep((WINDOW_S + 1) * 1000); // an empty window sends nothing
    expect(server.mails).toHaveLength(3);
    expect(d.caught).toHaveLength(0);
  }, 30_000);

  test('summaries still owed when the node closes are sent while it closes', async () => {
    server.mails.length = 0;
    const d = await deploy({ throttleS: 3600 }, smtpNode(server), credentialsFor(server));
    for (let i = 0; i < 4; i++) d.send(alert('0912345678', 60 - i));
    await waitUntil('first mail', () => server.mails.length === 1);
    await helper.unload();
    expect(server.mails).toHaveLength(2);
    expect(server.mails[1].parsed.text).toMatch(/3 alertas más desde/);
  });
});
