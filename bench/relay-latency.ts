/**
 * Commit → subscriber latency of the outbox relay at a steady rate (default 1,000 movements/s),
 * on the embedded broker and on a Mosquitto started from the machine's binary. Baseline: a plain
 * MQTT publisher sending same-sized QoS 1 messages at the same rate through the same broker, so
 * the ratio is what the database, the outbox and the relay add.
 * Latency = receive time − the event's `timestamp` (taken when its batch began to commit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { devServiceFile, loadBrokerConfig, loadDevServiceCredential, startEmbeddedBroker } from '../core/broker';
import { loadCoreConfig } from '../core/config';
import { startCore } from '../core/core-service';
import { silentLogger } from '../core/log';
import { percentile, round2, type Figure } from './figure';
import { freePort } from './ports';

interface BrokerHandle {
  url: string;
  /** The publishers' login: anonymous clients of the embedded broker may only read. */
  login: { username: string; password: string } | null;
  stop: () => Promise<void>;
}

async function embedded(dataDir: string): Promise<BrokerHandle> {
  const port = await freePort();
  const broker = await startEmbeddedBroker(loadBrokerConfig({ MQTT_PORT: String(port), MQTT_WS_PORT: 'off', DATA_DIR: dataDir }), silentLogger);
  return { url: `mqtt://127.0.0.1:${port}`, login: await loadDevServiceCredential(devServiceFile(dataDir)), stop: () => broker.stop() };
}

async function mosquitto(dataDir: string): Promise<BrokerHandle | null> {
  const port = await freePort();
  const conf = path.join(dataDir, 'mosquitto.conf');
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = await new Promise<boolean>((resolve) => {
    proc.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 400);
  });
  if (failed) return null;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    login: null,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** Sends `rate` requests per second for `durationMs` over a few pipelining connections. */
async function drive(port: number, rate: number, durationMs: number): Promise<void> {
  const conns = await Promise.all(
    Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.setNoDelay(true);
      s.on('data', () => undefined);
    })),
  );
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < durationMs) {
    const due = Math.floor(((Date.now() - started) * rate) / 1000);
    while (sent < due) {
      const c = conns[sent % conns.length];
      c.write(JSON.stringify({ id: sent, op: 'depositar', cedula: '1350509525', monto: '1.00' }) + '\n');
      sent++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  void perTick;
  await new Promise((r) => setTimeout(r, 500));
  for (const c of conns) c.destroy();
}

async function relayLatencies(broker: BrokerHandle, dataDir: string, rate: number, durationMs: number): Promise<number[]> {
  const url = broker.url;
  const login = broker.login === null ? {} : { BANCO_MQTT_USERNAME: broker.login.username, BANCO_MQTT_PASSWORD: broker.login.password };
  const core = await startCore(loadCoreConfig({ DATA_DIR: dataDir, CORE_PORT: '0', MQTT_URL: url, BANCO_STATS_INTERVAL_MS: '0', ...login }), { log: silentLogger });
  const sub = await mqtt.connectAsync(url);
  const latencies: number[] = [];
  sub.on('message', (_t, payload) => latencies.push(Date.now() - Date.parse(JSON.parse(payload.toString()).timestamp)));
  await sub.subscribeAsync('banco/depositos', { qos: 1 });
  await drive(core.port, rate, durationMs);
  await sub.endAsync();
  await core.stop();
  return latencies;
}

async function baselineLatencies(broker: BrokerHandle, rate: number, durationMs: number): Promise<number[]> {
  const url = broker.url;
  const sub = await mqtt.connectAsync(url);
  const pub = await mqtt.connectAsync(url, broker.login ?? {});
  const latencies: number[] = [];
  sub.on('message', (_t, payload) => latencies.push(Date.now() - JSON.parse(payload.toString()).sent));
  await sub.subscribeAsync('banco/bench/baseline', { qos: 1 });
  const started = Date.now();
  let sent = 0;
  const filler = 'x'.repeat(180); // about the size of a deposit event
  while (Date.now() - started < durationMs) {
    const due = Math.floor(((Date.now() - started) * rate) / 1000);
    while (sent < due) {
      pub.publish('banco/bench/baseline', JSON.stringify({ sent: Date.now(), filler }), { qos: 1 });
      sent++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  await pub.endAsync();
  await sub.endAsync();
  return latencies;
}

export async function benchRelayLatency(options: { quick: boolean; rate?: number }): Promise<Figure[]> {
  const rate = options.rate ?? 1000;
  const durationMs = options.quick ? 2000 : 6000;
  const figures: Figure[] = [];
  for (const [name, start] of [['embedded', embedded], ['mosquitto', mosquitto]] as const) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-bench-relay-'));
    const broker = await start(dataDir);
    if (!broker) {
      process.stderr.write(`bench: no ${name} broker here; skipping its latency figures\n`);
      continue;
    }
    try {
      const base = await baselineLatencies(broker, rate, durationMs);
      const relay = await relayLatencies(broker, dataDir, rate, durationMs);
      if (relay.length === 0 || base.length === 0) throw new Error(`no events arrived through the ${name} broker`);
      for (const p of [50, 99]) {
        const value = percentile(relay, p);
        const baseline = percentile(base, p);
        figures.push({
          name: `relay.latency.${name}.p${p}`,
          value,
          unit: 'ms',
          baseline,
          ratio: round2(value / Math.max(baseline, 1)),
          params: { broker: name, rate_per_s: rate, duration_ms: durationMs, events: relay.length, baseline_messages: base.length, storage: 'sqlite' },
        });
      }
    } finally {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return figures;
}
