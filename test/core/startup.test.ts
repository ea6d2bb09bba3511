/**
 * Start-up and shutdown of the real CLI (CONTRACT §1): a taken port, a bad setting, an unreachable
 * database or broker end start-up with one clear line and a non-zero exit; SIGTERM/SIGINT exit 0.
 */
import net from 'node:net';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { spawnCore } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

const CLI = path.resolve(__dirname, '../../dist/bin/banco.js');

function runCli(env: Record<string, string>, args = ['start', 'core']): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', DATA_DIR: tempDir(), BANCO_RELAY: 'off', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** The failure is one `banco:` line, with no stack trace. */
function expectOneClearLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^banco: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('banco start', () => {
  it('refuses a taken port with one line naming the port and the setting', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await runCli({ CORE_PORT: String(port) });
      expect(r.code).toBe(1);
      expectOneClearLine(r.stderr, new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use.*CORE_PORT`));
    } finally {
      blocker.close();
    }
  });

  it('refuses a taken port under npm start (supervised) with the component\'s one line, and starts nothing else', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await runCli({ MQTT_PORT: String(port), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(await freePort()), CORE_PORT: String(await freePort()) }, ['start']);
      expect(r.code).toBe(1);
      expectOneClearLine(r.stderr, new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use.*MQTT_PORT`));
      expect(r.stderr).not.toContain('"child":"node-red"');
    } finally {
      blocker.close();
    }
  });

  it('refuses a malformed setting', async () => {
    const r = await runCli({ CORE_PORT: 'cinco mil' });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /CORE_PORT=cinco mil is not a TCP port/);
  });

  it('refuses an unknown database scheme', async () => {
    const r = await runCli({ DATABASE_URL: 'postgres://x@y/z' });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /DATABASE_URL must start with sqlite: or mysql:\/\//);
  });

  it('says which database it cannot reach, without its password', async () => {
    const port = await freePort();
    const r = await runCli({ DATABASE_URL: `mysql://root:secreto@127.0.0.1:${port}/banco` });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /cannot use database mysql:\/\/\*\*\*@127\.0\.0\.1:\d+\/banco: ECONNREFUSED/);
    expect(r.stderr).not.toContain('secreto');
  });

  it('says which MQTT broker it cannot reach', async () => {
    const port = await freePort();
    const r = await runCli({ BANCO_RELAY: 'on', MQTT_URL: `mqtt://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, new RegExp(`cannot reach MQTT broker at mqtt://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  it('requires a service token in production', async () => {
    const r = await runCli({ NODE_ENV: 'production' });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /NODE_ENV=production requires BANCO_CORE_TOKEN/);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('finishes in-flight requests and exits 0 on %s', async (signal) => {
    const core = await spawnCore({ DATA_DIR: tempDir(), BANCO_RELAY: 'off' });
    const client = await TcpClient.open(core.port);
    // PIN checks are slow (scrypt) and one account's run one at a time, so when the first answer
    // is back the checks are still running: the signal lands with requests genuinely in flight.
    const requests = Array.from({ length: 24 }, (_, i) => (i % 4 === 0 ? { id: i, op: 'verificar_pin', cedula: '1350509525', pin: '1234' } : { id: i, op: 'depositar', cedula: '1350509525', monto: '1' }));
    client.write(requests.map((r) => JSON.stringify(r) + '\n').join(''));
    const first = await client.readLine();
    core.proc.kill(signal);
    const answers = [first];
    for (;;) {
      const line = await client.readLine().catch(() => null);
      if (line === null) break;
      answers.push(line);
    }
    expect(await core.exited).toEqual({ code: 0, signal: null });
    expect(answers).toHaveLength(24);
    expect(answers.filter((a) => JSON.parse(a).ok !== true)).toEqual([]);
  });
});
