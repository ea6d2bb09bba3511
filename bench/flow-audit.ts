/**
 * Suite `flow`: events/s from the MQTT bus through banco-events → banco-audit (fsync per batch)
 * in a real Node-RED runtime, with each event's acknowledgement held until the audit record is
 * durable ("acknowledge after the flow", the default) against acknowledgement on arrival (the
 * baseline), side by side, on the embedded broker and on Mosquitto (when the binary is here).
 * A publisher sends N QoS 1 events as fast as the broker takes them; the figure is N over the time
 * until the last record is durable (the audit node's output).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { devServiceFile, loadBrokerConfig, loadDevServiceCredential, startEmbeddedBroker } from '../core/broker';
import { silentLogger } from '../core/log';
import type { Figure } from './figure';
import { freePort } from './ports';

interface Broker { url: string; login: { username: string; password: string } | null; stop(): Promise<void> }

async function embedded(dir: string): Promise<Broker> {
  const port = await freePort();
  const broker = await startEmbeddedBroker(loadBrokerConfig({ MQTT_PORT: String(port), MQTT_WS_PORT: 'off', DATA_DIR: dir }), silentLogger);
  return { url: `mqtt://127.0.0.1:${port}`, login: await loadDevServiceCredential(devServiceFile(dir)), stop: () => broker.stop() };
}

async function mosquitto(dir: string): Promise<Broker | null> {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  // The shipped configs' in-flight window (mosquitto/config: max_inflight_messages 100).
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 100\nmax_queued_messages 100000\n`);
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = await new Promise<boolean>((resolve) => { proc.once('error', () => resolve(true)); setTimeout(() => resolve(false), 400); });
  if (failed) return null;
  return { url: `mqtt://127.0.0.1:${port}`, login: null, stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); } };
}

interface Helper {
  init(runtimePath: string): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): { on(event: 'input', fn: () => void): void };
}

async function run(helper: Helper, broker: Broker, events: number, ackAfterFlow: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-flow-bench-'));
  const file = path.join(dir, 'audit.jsonl');
  /* eslint-disable @typescript-eslint/no-require-imports */
  const nodes = [require('../nodes/banco-broker/banco-broker'), require('../nodes/banco-events/banco-events'), require('../nodes/banco-audit/banco-audit')];
  const clientId = `flow-bench-${process.pid}-${ackAfterFlow}`;
  await helper.load(nodes, [
    { id: 'tab', type: 'tab' },
    { id: 'b1', type: 'banco-broker', z: '', url: broker.url, clientId, persistentSession: true, keepalive: 15 },
    { id: 'e1', type: 'banco-events', z: 'tab', broker: 'b1', kinds: ['transactions'], ackAfterFlow, dedupe: 1_000_000, wires: [['a1']] },
    { id: 'a1', type: 'banco-audit', z: 'tab', file, durability: 'batch', queueMax: 10_000, wires: [['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
  ], broker.login ? { b1: broker.login } : undefined);
  await new Promise((r) => setTimeout(r, 500));
  // The audit node sends each record on once it is durable.
  let written = 0;
  let allWritten!: () => void;
  const finished = new Promise<void>((resolve) => { allWritten = resolve; });
  helper.getNode('out').on('input', () => { written += 1; if (written === events) allWritten(); });
  const publisher = await mqtt.connectAsync(broker.url, { ...(broker.login ?? {}), reconnectPeriod: 0 });
  const started = process.hrtime.bigint();
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < events; i++) {
    const id = `${clientId}-${i}`;
    sends.push(publisher.publishAsync('banco/transacciones', JSON.stringify({ id, cedula: '1350509525', tipo: 'DEPOSITO', monto: 1, saldo_nuevo: i, timestamp: new Date(0).toISOString() }), { qos: 1 }));
    if (sends.length >= 500) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await publisher.endAsync();
  await helper.unload();
  fs.rmSync(dir, { recursive: true, force: true });
  return Math.round(events / seconds);
}

export async function benchFlowAudit(quick: boolean): Promise<Figure[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helper = require('node-red-node-test-helper') as Helper;
  helper.init(require.resolve('node-red'));
  await helper.startServer();
  const events = quick ? 3_000 : 20_000;
  const figures: Figure[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-flow-broker-'));
  try {
    for (const [name, start] of [['embedded', () => embedded(dir)], ['mosquitto', () => mosquitto(dir)]] as const) {
      const broker = await start();
      if (!broker) { process.stderr.write('bench: mosquitto binary not found; skipping its flow figure\n'); continue; }
      try {
        const held = await run(helper, broker, events, true);
        const onArrival = await run(helper, broker, events, false);
        figures.push({ name: `flow.audit.${name}`, value: held, unit: 'events/s', baseline: onArrival, ratio: Math.round((held / onArrival) * 100) / 100, params: { events, baseline: 'acknowledged on arrival', durability: 'batch' } });
      } finally {
        await broker.stop();
      }
    }
  } finally {
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
