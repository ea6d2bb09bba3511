/**
 * `banco start` on a fresh DATA_DIR with no mail server: the default tab "Alertas por email" turns
 * a withdrawal that leaves 50.00 into one .eml file in $DATA_DIR/mail/ within 2 seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';
import { TcpClient } from '../helpers/tcp-client';

const MAIL_WITHIN_MS = 2_000;

async function until<T>(probe: () => T | undefined, timeoutMs = 20_000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const emls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : []);

describe('banco start: low-balance alerts by mail with no mail server', () => {
  let hub: CoreProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    hub = await spawnCore({ DATA_DIR: dataDir, MQTT_PORT: String(await freePort()), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(await freePort()) }, ['start']);
  });

  afterAll(async () => {
    hub.proc.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  });

  it('a withdrawal that leaves 50.00 puts one .eml in $DATA_DIR/mail within 2 s', async () => {
    const client = await TcpClient.open(hub.port);
    // The flows subscribe right after start; an audit record proves the events arrive.
    await client.command('AUMENTAR 1104567890 1');
    await until(() => (fs.existsSync(path.join(dataDir, 'audit', 'audit.jsonl')) ? true : undefined));
    const mailDir = path.join(dataDir, 'mail');
    expect(emls(mailDir)).toEqual([]);
    const started = Date.now();
    expect(await client.command('DISMINUIR 0912345678 400.25')).toBe('OK|Retiro exitoso|50.00');
    const files = await until(() => (emls(mailDir).length > 0 ? emls(mailDir) : undefined), 10_000);
    const elapsedMs = Date.now() - started;
    client.close();
    expect(elapsedMs).toBeLessThanOrEqual(MAIL_WITHIN_MS);
    await new Promise((r) => setTimeout(r, 500));
    expect(emls(mailDir)).toHaveLength(1);
    const parsed = await simpleParser(fs.readFileSync(path.join(mailDir, files[0])));
    expect(parsed.subject).toBe('Saldo bajo en la cuenta ******5678: $50.00');
    expect(parsed.text).toContain('Saldo anterior: $450.25');
    expect(parsed.text).toContain('Umbral de alerta: $100.00');
    expect((parsed.to as { text: string }).text).toBe('operaciones@localhost');
  });
});
