/**
 * `npm start` runs the broker, Node-RED and the core as separate supervised processes (issue 12):
 * a user's function node that spins, or one that crashes Node-RED, does not stall the bank — the
 * core answers CONSULTA within 50 ms throughout — Node-RED is restarted, and the default flows'
 * persistent session hands it every event published while it was down, into the audit log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { spawnCore, type CoreProcess } from '../helpers/core-process';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';
import { TcpClient } from '../helpers/tcp-client';

const CLI = path.resolve(__dirname, '../../dist/bin/banco.js');
/** The bound the issue sets for the core's answer while Node-RED misbehaves. */
const CONSULTA_LATENCY_MS_MAX = 50;
/** How long the probe measures the core with Node-RED idle, for the overload allowance below. */
const BASELINE_MS = 1500;
const SPIN_MS = 3000;
const DEPOSITS_WHILE_DOWN = 20;
const PROBE_CEDULA = '1315151515';
const DEPOSIT_CEDULA = '1350509525';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PROBE = path.resolve(__dirname, '../helpers/consulta-probe.js');

/** CONSULTA round trips measured from a process of their own (test/helpers/consulta-probe.js). */
async function startConsultaProbe(port: number): Promise<{ stop: () => Promise<number[]> }> {
  const child = spawn(process.execPath, [PROBE, String(port), PROBE_CEDULA], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`probe exited: ${code}`)));
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on('message', (m) => resolve((m as { latencies: number[] }).latencies));
        child.send('stop');
      }),
  };
}

function auditDeposits(dataDir: string, cedula: string): Array<{ event: { saldo_nuevo: number; id: string } }> {
  const file = path.join(dataDir, 'audit', 'audit.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.event?.cedula === cedula && r.event?.tipo === 'DEPOSITO');
}

function verify(dir: string): Promise<number | null> {
  return new Promise((resolve) => spawn(process.execPath, [CLI, 'audit', 'verify', dir], { stdio: 'ignore' }).on('exit', resolve));
}

/** A tab with two buttons: one runs a function node that spins, the other one that crashes the process. */
const MISBEHAVING_FLOW = {
  label: 'misbehaving user flow',
  nodes: [
    { id: 'c0ffee0000000001', type: 'inject', name: 'spin', props: [], repeat: '', once: false, wires: [['c0ffee0000000002']] },
    { id: 'c0ffee0000000002', type: 'function', name: 'spin', func: `const end = Date.now() + ${SPIN_MS};\nwhile (Date.now() < end) {}\nreturn msg;`, outputs: 1, wires: [[]] },
    { id: 'c0ffee0000000003', type: 'inject', name: 'crash', props: [], repeat: '', once: false, wires: [['c0ffee0000000004']] },
    // An unhandled rejection ends a Node.js 20 process; Node-RED catches throws in timers, not this.
    { id: 'c0ffee0000000004', type: 'function', name: 'crash', func: "Promise.reject(new Error('user flow bug'));\nreturn null;", outputs: 1, wires: [[]] },
  ],
};

describe('npm start (supervised processes)', () => {
  let hub: CoreProcess;
  let dataDir: string;
  let red: string;
  /**
   * The bound, unless this machine is so loaded (other suites, a shared CI runner) that the core
   * already answers slower with Node-RED idle: then twice that quiet worst case. In one process a
   * spinning function node costs the whole SPIN_MS, far above either.
   */
  let latencyBudgetMs = CONSULTA_LATENCY_MS_MAX;

  const parsed: Array<Record<string, unknown>> = [];
  let parsedChars = 0;
  /** The hub's log so far, parsed once per line. */
  const logLines = (): Array<Record<string, unknown>> => {
    const text = hub.stderr();
    const end = text.lastIndexOf('\n') + 1;
    for (const l of text.slice(parsedChars, end).split('\n').filter(Boolean)) parsed.push(JSON.parse(l) as Record<string, unknown>);
    parsedChars = Math.max(parsedChars, end);
    return parsed;
  };
  const press = async (id: string): Promise<void> => {
    expect((await fetch(`${red}/inject/${id}`, { method: 'POST' })).status).toBe(200);
  };

  beforeAll(async () => {
    dataDir = tempDir();
    const redPort = await freePort();
    red = `http://127.0.0.1:${redPort}`;
    hub = await spawnCore({ DATA_DIR: dataDir, MQTT_PORT: String(await freePort()), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(redPort), BANCO_CORE_TOKEN: 'core-token-0123456789' }, ['start']);
    const res = await fetch(`${red}/flow`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(MISBEHAVING_FLOW) });
    expect(res.status).toBe(200);
    // The default flows audit: wait for a first record, so the flows are known to consume.
    const client = await TcpClient.open(hub.port);
    expect(await client.command(`AUMENTAR ${DEPOSIT_CEDULA} 1`)).toBe('OK|Depósito exitoso|5001.00');
    client.close();
    await until(() => (auditDeposits(dataDir, DEPOSIT_CEDULA).length === 1 ? true : undefined));
    const baseline = await startConsultaProbe(hub.port);
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    const quiet = await baseline.stop();
    latencyBudgetMs = Math.max(CONSULTA_LATENCY_MS_MAX, 2 * Math.max(...quiet));
    if (latencyBudgetMs > CONSULTA_LATENCY_MS_MAX) process.stderr.write(`supervisor.test: machine overloaded (quiet CONSULTA max ${Math.max(...quiet).toFixed(1)} ms); latency budget ${latencyBudgetMs.toFixed(1)} ms\n`);
  }, 90_000);

  afterAll(async () => {
    hub.proc.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  }, 20_000);

  it('runs broker, Node-RED, core and bridge as separate processes of their own', () => {
    const started = logLines().filter((l) => l.event === 'component.ready').map((l) => [l.child, l.pid]);
    expect(started.map(([c]) => c)).toEqual(['broker', 'node-red', 'core', 'bridge']);
    expect(new Set(started.map(([, pid]) => pid)).size).toBe(4);
    expect(started.map(([, pid]) => pid)).not.toContain(hub.proc.pid);
  });

  it('answers CONSULTA within 50 ms while a function node spins for 3 seconds', async () => {
    const probe = await startConsultaProbe(hub.port);
    await new Promise((r) => setTimeout(r, 300));
    await press('c0ffee0000000001');
    // Node-RED's event loop is busy for SPIN_MS: its admin API answers only afterwards.
    const t0 = Date.now();
    await fetch(`${red}/settings`);
    const redStalledMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    const latencies = await probe.stop();
    expect(redStalledMs).toBeGreaterThan(SPIN_MS / 2);
    expect(latencies.length).toBeGreaterThan(SPIN_MS / 100);
    expect(Math.max(...latencies)).toBeLessThan(latencyBudgetMs);
  }, 30_000);

  it('restarts Node-RED a flow crashed, keeps answering within 50 ms, and audits every deposit made while it was down', async () => {
    const readyBefore = logLines().filter((l) => l.event === 'component.ready' && l.child === 'node-red').length;
    const probe = await startConsultaProbe(hub.port);
    await press('c0ffee0000000003');
    await until(() => (logLines().some((l) => l.event === 'component.crashed' && l.child === 'node-red') ? true : undefined), 10_000);
    const client = await TcpClient.open(hub.port);
    const downDuring: boolean[] = [];
    for (let i = 1; i <= DEPOSITS_WHILE_DOWN; i++) {
      expect(await client.command(`AUMENTAR ${DEPOSIT_CEDULA} 0.01`)).toBe(`OK|Depósito exitoso|${(5001 + i / 100).toFixed(2)}`);
      downDuring.push(logLines().filter((l) => l.event === 'component.ready' && l.child === 'node-red').length === readyBefore);
    }
    client.close();
    // The deposits were made while Node-RED was down (it takes seconds to load its flows again).
    expect(downDuring.every(Boolean)).toBe(true);
    await until(() => (logLines().some((l) => l.event === 'component.restarted' && l.child === 'node-red') ? true : undefined), 60_000);
    const records = await until(() => {
      const r = auditDeposits(dataDir, DEPOSIT_CEDULA);
      return r.length >= 1 + DEPOSITS_WHILE_DOWN ? r : undefined;
    }, 30_000);
    const latencies = await probe.stop();
    const balances = records.map((r) => Math.round(r.event.saldo_nuevo * 100)).sort((a, b) => a - b);
    expect(balances).toEqual(Array.from({ length: 1 + DEPOSITS_WHILE_DOWN }, (_, i) => 500100 + i));
    expect(new Set(records.map((r) => r.event.id)).size).toBe(records.length);
    expect(await verify(path.join(dataDir, 'audit'))).toBe(0);
    expect(Math.max(...latencies)).toBeLessThan(latencyBudgetMs);
  }, 90_000);

  it('writes every line of every component as JSON with the same fields', () => {
    const lines = logLines();
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['time', 'level', 'component', 'instance', 'event', 'msg']));
    const components = new Set(lines.map((l) => l.component));
    for (const c of ['supervisor', 'broker', 'node-red', 'core']) expect(components.has(c)).toBe(true);
    // Node-RED's own log is in the format too, and the core token never appears.
    expect(lines.some((l) => l.component === 'node-red' && l.event === 'node-red.log' && l.msg === 'Started flows')).toBe(true);
    expect(hub.stderr()).not.toContain('core-token-0123456789');
  });
});
