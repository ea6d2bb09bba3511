/**
 * The embedded default: no SMTP server configured → each mail is one .eml file in
 * $DATA_DIR/mail/, written atomically (no .tmp left), readable by any mail parser.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { helper, waitUntil } from '../helpers/red';
import { alert, deploy } from './fixtures';

function emls(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
}

describe('banco-email without an SMTP server', () => {
  const savedDataDir = process.env.DATA_DIR;
  let dataDir: string;

  beforeAll(async () => {
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
  });
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-mail-'));
    process.env.DATA_DIR = dataDir;
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('with no banco-smtp node, an alert is written as one .eml in $DATA_DIR/mail', async () => {
    const d = await deploy({ to: '' });
    d.send(alert('1720304050', 42.1));
    await waitUntil('completed', () => d.out.length === 1);
    const dir = path.join(dataDir, 'mail');
    const files = fs.readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(emls(dir)).toHaveLength(1);
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, emls(dir)[0])));
    expect(parsed.subject).toBe('Saldo bajo en la cuenta ******4050: $42.10');
    expect((parsed.to as { text: string }).text).toBe('operaciones@localhost');
    expect(parsed.text).toContain('Saldo actual: $42.10');
    await waitUntil('the status names the pickup mode', () => /pickup/.test(d.lastStatus()));
    expect(d.statuses.at(-1)?.status).toMatchObject({ fill: 'grey', shape: 'ring' });
  });

  test('a banco-smtp node whose ${BANCO_SMTP_URL} is unset also writes to the pickup folder', async () => {
    delete process.env.BANCO_SMTP_URL;
    const d = await deploy({ to: '${BANCO_ALERT_TO}' }, { id: 's1', type: 'banco-smtp', url: '${BANCO_SMTP_URL}', host: '', from: '${BANCO_ALERT_FROM}' });
    d.send(alert());
    await waitUntil('completed', () => d.out.length === 1);
    expect(emls(path.join(dataDir, 'mail'))).toHaveLength(1);
  });

  test('with "only on crossing", an alert from an account already under the threshold is not mailed', async () => {
    const d = await deploy({ crossingOnly: true });
    const below = alert('1720304050', 40);
    (below.payload as { data: Record<string, number> }).data.saldo_anterior = 80;
    d.send(below);
    d.send(alert('1720304050', 30)); // saldo_anterior 450.25: crossed
    await waitUntil('one completed with output', () => d.out.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    const files = emls(path.join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(fs.readFileSync(path.join(dataDir, 'mail', files[0])));
    expect(parsed.subject).toMatch(/\$30\.00$/);
  });
});
