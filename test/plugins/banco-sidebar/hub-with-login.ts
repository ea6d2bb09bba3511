/**
 * A whole hub (`banco start`: broker, core, Node-RED with this package's nodes and the Banco
 * plugin) on free ports and a fresh DATA_DIR, with an editor login, for the sidebar's tests:
 * admin tokens, the editor comms WebSocket (Node-RED's protocol) and deposits over TCP.
 */
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { devServiceFile, loadDevServiceCredential } from '../../../core/broker';
import { spawnCore, type CoreProcess } from '../../helpers/core-process';
import { tempDir } from '../../helpers/core';
import { freePort } from '../../helpers/ports';
import { TcpClient } from '../../helpers/tcp-client';

/** A whole hub (broker, Node-RED with its flows, core) starting on a shared, busy test machine. */
const HUB_START_MS = 90_000;

export const ADMIN = { username: 'ops', password: 'sidebar-test-password' };

export interface Hub {
  proc: CoreProcess;
  dataDir: string;
  editorUrl: string;
  corePort: number;
  mqttUrl: string;
  /** The core's health and Prometheus listener (docs/metrics.md). */
  coreMetricsUrl: string;
  stop(): Promise<void>;
}

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startHub(opts: { login: boolean }): Promise<Hub> {
  const dataDir = tempDir();
  const nodeRedPort = await freePort();
  const mqttPort = await freePort();
  const metricsPort = await freePort();
  const env: Record<string, string> = { DATA_DIR: dataDir, MQTT_PORT: String(mqttPort), BANCO_METRICS_PORT: String(metricsPort), MQTT_WS_PORT: 'off', NODE_RED_PORT: String(nodeRedPort), BANCO_NODE_RED_LOG_LEVEL: 'warn', BANCO_STATS_INTERVAL_MS: '1000' };
  if (opts.login) Object.assign(env, { BANCO_NODE_RED_ADMIN_USER: ADMIN.username, BANCO_NODE_RED_ADMIN_PASSWORD_HASH: bcrypt.hashSync(ADMIN.password, 8) });
  const proc = await spawnCore(env, ['start'], HUB_START_MS);
  const editorUrl = `http://127.0.0.1:${nodeRedPort}`;
  // The flows run (their subscriptions made) before the core listens, so the editor is up by now.
  await until(async () => ((await fetch(`${editorUrl}/settings`).catch(() => null))?.status ?? 0) > 0 ? true : undefined, HUB_START_MS, 'the editor');
  return {
    proc, dataDir, editorUrl, corePort: proc.port, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, coreMetricsUrl: `http://127.0.0.1:${metricsPort}`,
    async stop() {
      proc.proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/** An admin access token (Node-RED's OAuth password grant, the editor's own login). */
export async function adminToken(editorUrl: string, scope = '*'): Promise<string> {
  const res = await fetch(`${editorUrl}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, ...ADMIN }),
  });
  if (!res.ok) throw new Error(`token request: HTTP ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface CommsMessage { topic: string; data: unknown }

/** The editor's comms channel: auth packet (when a token is given), then subscribe. */
export class Comms {
  readonly received: CommsMessage[] = [];
  authResult: string | undefined;
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const parsed = JSON.parse(raw.toString()) as CommsMessage[] | { auth: string };
      if (Array.isArray(parsed)) this.received.push(...parsed);
      else this.authResult = parsed.auth;
    });
    ws.on('close', () => (this.closed = true));
  }

  static async open(editorUrl: string, token: string | undefined, topic = 'banco/#'): Promise<Comms> {
    const ws = new WebSocket(`${editorUrl.replace(/^http/, 'ws')}/comms`);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const comms = new Comms(ws);
    if (token !== undefined) {
      ws.send(JSON.stringify({ auth: token }));
      await until(() => comms.authResult ?? (comms.closed ? 'closed' : undefined), 5_000, 'comms auth');
    }
    ws.send(JSON.stringify({ subscribe: topic }));
    return comms;
  }

  find<T>(topic: string, pick: (data: T) => boolean): T | undefined {
    return this.received.filter((m) => m.topic === topic).map((m) => m.data as T).find(pick);
  }

  close(): void {
    this.ws.close();
  }
}

/** Publishes a made-up event as the hub's own service would (its development login). */
export async function publishAsService(hub: Hub, topic: string, event: Record<string, unknown>): Promise<void> {
  const login = await loadDevServiceCredential(devServiceFile(hub.dataDir));
  const client = await mqtt.connectAsync(hub.mqttUrl, { username: login.username, password: login.password });
  await client.publishAsync(topic, JSON.stringify(event), { qos: 1 });
  await client.endAsync();
}

/** A deposit over the core's JSON-lines protocol; resolves to the answer. */
export async function deposit(corePort: number, cedula: string, monto: string): Promise<Record<string, unknown>> {
  const client = await TcpClient.open(corePort);
  try {
    return await client.json({ id: 1, op: 'depositar', cedula, monto });
  } finally {
    client.close();
  }
}
