/**
 * `banco start` (all components, embedded defaults): the broker, the core with its relay and the
 * embedded Node-RED with this package's nodes come up together; a deposit over TCP reaches the
 * default flow's audit log, which verifies; SIGTERM stops everything with exit 0.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';
import { TestBroker } from '../helpers/mqtt-broker';
import { TcpClient } from '../helpers/tcp-client';

const CLI = path.resolve(__dirname, '../../dist/bin/banco.js');

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function verify(dir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'audit', 'verify', dir]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('banco start (all components)', () => {
  let hub: CoreProcess;
  let dataDir: string;
  let ports: Record<string, string>;

  beforeAll(async () => {
    dataDir = tempDir();
    ports = { MQTT_PORT: String(await freePort()), MQTT_WS_PORT: String(await freePort()), NODE_RED_PORT: String(await freePort()) };
    hub = await spawnCore({ DATA_DIR: dataDir, ...ports }, ['start']);
    await until(async () => ((await fetch(`http://127.0.0.1:${ports.NODE_RED_PORT}/flows`).catch(() => null))?.ok ? true : undefined));
  });

  afterAll(async () => {
    hub.proc.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  });

  it('serves the Node-RED editor with every banco-* node type of this package', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.NODE_RED_PORT}/nodes`, { headers: { Accept: 'application/json' } });
    const sets = (await res.json()) as Array<{ types: string[]; module: string; err?: string }>;
    const ours = sets.filter((s) => s.module === '@banco-hub/node-red-banco');
    expect(ours.every((s) => !s.err)).toBe(true);
    // Every type package.json declares (one source: the node-red section), whatever helpers add.
    const declared = Object.keys((JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
    expect(ours.flatMap((s) => s.types).sort()).toEqual(declared.sort());
  });

  it('carries a deposit from the TCP port through the embedded broker into the verified audit log', async () => {
    const client = await TcpClient.open(hub.port);
    expect(await client.command('AUMENTAR 1350509525 25.50')).toBe('OK|Depósito exitoso|5025.50');
    client.close();
    const file = path.join(dataDir, 'audit', 'audit.jsonl');
    const record = await until(() => {
      if (!fs.existsSync(file)) return undefined;
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
      return lines.map((l) => JSON.parse(l)).find((r) => r.event?.tipo === 'DEPOSITO' && r.event?.monto === 25.5);
    });
    expect(record).toMatchObject({ topic: 'banco/transacciones', event: { cedula: '1350509525', saldo_nuevo: 5025.5 } });
    const v = await verify(path.join(dataDir, 'audit'));
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/hash chain intact/);
  });

  it('serves MQTT over WebSocket from the embedded broker', async () => {
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${ports.MQTT_WS_PORT}`);
    const got = new Promise<string>((resolve) => c.on('message', (_t, p) => resolve(p.toString())));
    await c.subscribeAsync('banco/saldo/1315151515');
    const client = await TcpClient.open(hub.port);
    await client.command('AUMENTAR 1315151515 1');
    client.close();
    expect(JSON.parse(await got)).toMatchObject({ cedula: '1315151515', saldo_nuevo: 1501 });
    await c.endAsync();
  });
});

describe('banco start with MQTT_URL', () => {
  it('starts no embedded broker and relays to the external one', async () => {
    const external = await TestBroker.start();
    const mqttPort = await freePort();
    const hub = await spawnCore({ DATA_DIR: tempDir(), MQTT_URL: external.url, MQTT_PORT: String(mqttPort), MQTT_WS_PORT: String(await freePort()), NODE_RED_PORT: String(await freePort()) }, ['start']);
    try {
      const sub = await mqtt.connectAsync(external.url);
      const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => resolve(p.toString())));
      await sub.subscribeAsync('banco/depositos');
      const client = await TcpClient.open(hub.port);
      await client.command('AUMENTAR 1350509525 2');
      client.close();
      expect(JSON.parse(await got)).toMatchObject({ cedula: '1350509525', monto: 2 });
      expect(await portOpen(mqttPort)).toBe(false);
      await sub.endAsync();
    } finally {
      hub.proc.kill('SIGTERM');
      expect((await hub.exited).code).toBe(0);
      await external.stop();
    }
  });
});

describe('banco start shutdown', () => {
  it('stops the core before Node-RED, so movements acknowledged just before SIGTERM still reach the audit log', async () => {
    const dataDir = tempDir();
    const mqttPort = await freePort();
    const hub = await spawnCore({ DATA_DIR: dataDir, MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(await freePort()) }, ['start']);
    const auditDir = path.join(dataDir, 'audit');
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`);
    const watched = new Set<number>();
    watcher.on('message', (_t, p) => {
      const e = JSON.parse(p.toString());
      if (e.cedula === '1350509525') watched.add(Math.round(e.saldo_nuevo * 100));
    });
    await watcher.subscribeAsync('banco/transacciones', { qos: 1 });
    const client = await TcpClient.open(hub.port);
    // The audit node starts with the flows; wait for its first record before the real test.
    await client.command('AUMENTAR 1104567890 1');
    await until(() => (fs.existsSync(path.join(auditDir, 'audit.jsonl')) ? true : undefined));
    const requests = Array.from({ length: 200 }, (_, i) => ({ id: i, op: 'depositar', cedula: '1350509525', monto: '0.01' }));
    const fresh = await TcpClient.open(hub.port);
    const answers = await fresh.pipeline(requests);
    expect([...answers.values()].every((a) => a.ok === true)).toBe(true);
    hub.proc.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
    client.close();
    fresh.close();
    watcher.end(true);
    expect(watched.size).toBe(200); // the broker delivered every one, to a plain subscriber too
    const records = fs.readFileSync(path.join(auditDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const deposits = records.filter((r) => r.event?.cedula === '1350509525' && r.event?.tipo === 'DEPOSITO');
    const seen = new Set(deposits.map((r) => Math.round(r.event.saldo_nuevo * 100)));
    const missing = Array.from({ length: 200 }, (_, i) => 500001 + i).filter((c) => !seen.has(c));
    expect(missing).toEqual([]);
    expect(deposits).toHaveLength(200);
    expect((await verify(auditDir)).code).toBe(0);
  });
});

describe('banco start in production', () => {
  it('refuses anonymous MQTT and the editor without login, yet its default flows audit with the service user', async () => {
    const dataDir = tempDir();
    const usersFile = path.join(dataDir, 'mqtt-users.json');
    const add = spawn(process.execPath, [CLI, 'broker-user', 'add', 'banco-relay', '--role', 'service', '--file', usersFile, '--password-stdin']);
    add.stdin.end('relay-secret-123\n');
    expect(await new Promise((resolve) => add.on('exit', resolve))).toBe(0);
    const mqttPort = await freePort();
    const redPort = await freePort();
    const hub = await spawnCore(
      {
        NODE_ENV: 'production', DATA_DIR: dataDir, MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(redPort),
        BANCO_CORE_TOKEN: 'token-token-token-1234', BANCO_MQTT_USERS_FILE: usersFile, BANCO_MQTT_USERNAME: 'banco-relay', BANCO_MQTT_PASSWORD: 'relay-secret-123',
        BANCO_BRIDGE_SESSION_SECRET: 'bridge-session-secret-of-32-chars-or-more', BANCO_NODE_RED_SECRET: 'node-red-secret', BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: '$2b$08$ZxMqeqFSeUQqjD4HlsOH6upOMLmvOxegS0r.wMnZK9rqzUrMFGwjq',
      },
      ['start'],
    );
    try {
      expect((await fetch(`http://127.0.0.1:${redPort}/flows`)).status).toBe(401);
      await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 })).rejects.toThrow();
      const client = await TcpClient.open(hub.port);
      expect(await client.json({ id: 1, op: 'depositar', cedula: '1350509525', monto: '1' })).toMatchObject({ ok: false, error: { code: 'NO_AUTORIZADO' } });
      expect(await client.json({ id: 2, op: 'auth', token: 'token-token-token-1234' })).toMatchObject({ ok: true });
      expect(await client.json({ id: 3, op: 'crear', cedula: '1712345675', nombres: 'Ana', apellidos: 'López' })).toMatchObject({ ok: true });
      expect(await client.json({ id: 4, op: 'depositar', cedula: '1712345675', monto: '12.34' })).toMatchObject({ ok: true, saldo_nuevo: '12.34' });
      client.close();
      const file = path.join(dataDir, 'audit', 'audit.jsonl');
      const record = await until(() => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.event?.cedula === '1712345675') : undefined));
      expect(record).toMatchObject({ event: { tipo: 'DEPOSITO', monto: 12.34 } });
    } finally {
      hub.proc.kill('SIGTERM');
      expect((await hub.exited).code).toBe(0);
    }
  });
});
