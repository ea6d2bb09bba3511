/**
 * The Banco plugin's runtime part in a real hub (`banco start`, editor login on): an event
 * that passes banco-events → banco-audit reaches the sidebar over the editor's comms WebSocket
 * with the audit counters, and the metrics route serves the counters — to admins only.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { adminToken, Comms, deposit, startHub, until, type Hub } from './hub-with-login';

interface FeedEntry { seq: number; kind: string; topic: string; cedulas: string[]; event: Record<string, unknown> }
interface Integration { integration: string; type: string; sent: number; failed: number; backlog: number; connection: string }

const CEDULA = '1350509525';

describe('the Banco sidebar plugin in the hub, with an editor login', () => {
  let hub: Hub;
  let token: string;

  beforeAll(async () => {
    hub = await startHub({ login: true });
    token = await adminToken(hub.editorUrl);
  }, 120_000);
  afterAll(() => hub?.stop());

  it('is listed by Node-RED as a plugin of this package, with its editor part and catalogs', async () => {
    const auth = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    const plugins = (await (await fetch(`${hub.editorUrl}/plugins`, { headers: auth })).json()) as Array<{ id: string; module: string; err?: string }>;
    expect(plugins.filter((p) => p.module === '@banco-hub/node-red-banco').map((p) => [p.id, p.err])).toEqual([['@banco-hub/node-red-banco/banco-sidebar', undefined]]);
    const html = await (await fetch(`${hub.editorUrl}/plugins`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/html' } })).text();
    expect(html).toContain('RED.sidebar.addTab');
    expect(html).not.toContain('/* EVENT_KINDS */ []');
    for (const [lng, tab] of [['en-US', 'Event feed'], ['es-ES', 'Eventos']]) {
      const catalogs = (await (await fetch(`${hub.editorUrl}/plugins/messages?lng=${lng}`, { headers: auth })).json()) as Record<string, { 'banco-sidebar': { sections: { events: string } } }>;
      expect(catalogs['@banco-hub/node-red-banco/banco-sidebar']['banco-sidebar'].sections.events).toBe(tab);
    }
  });

  it('sends a deposit to the editor over comms, with the audit log\'s counters once it is written', async () => {
    const comms = await Comms.open(hub.editorUrl, token);
    expect(comms.authResult).toBe('ok');
    // Issue 12's end-to-end check: the same deposit on MQTT, in the audit log, in the sidebar's
    // feed and in both processes' metrics (the core's /metrics, Node-RED's /banco/metrics).
    const observer = await mqtt.connectAsync(hub.mqttUrl, { reconnectPeriod: 0 });
    const onBus: Array<Record<string, unknown>> = [];
    observer.on('message', (_topic, payload) => onBus.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await observer.subscribeAsync('banco/transacciones', { qos: 1 });
    const answer = await deposit(hub.corePort, CEDULA, '12.34');
    expect(answer).toMatchObject({ ok: true });
    const published = await until(() => onBus.find((e) => e.monto === 12.34 && e.cedula === CEDULA), 30_000, 'the event on MQTT');
    await observer.endAsync();
    const auditFile = path.join(hub.dataDir, 'audit', 'audit.jsonl');
    await until(() => (fs.existsSync(auditFile) && fs.readFileSync(auditFile, 'utf8').includes(`"eventId":"${String(published.id)}"`) ? true : undefined), 30_000, 'the audit record');
    const coreMetrics = await (await fetch(`${hub.coreMetricsUrl}/metrics`)).text();
    expect(Number(/^banco_core_movements_total\{[^}]*type="depositar"[^}]*\} (\d+)$/m.exec(coreMetrics)?.[1])).toBeGreaterThanOrEqual(1);
    const feed = await until(() => comms.find<{ boot: string; events: FeedEntry[] }>('banco/sidebar/events', (d) => d.events.some((e) => e.event.monto === 12.34)), 30_000, 'the event over comms');
    const entry = feed.events.find((e) => e.event.monto === 12.34)!;
    expect(entry).toMatchObject({ kind: 'transactions', topic: 'banco/transacciones', cedulas: [CEDULA], event: { cedula: CEDULA, tipo: 'DEPOSITO', saldo_nuevo: 5012.34 } });
    const health = await until(() => comms.find<{ integrations: Integration[] }>('banco/sidebar/integrations', (d) => d.integrations.some((i) => i.integration === 'audit' && i.sent >= 1)), 30_000, 'the audit counters over comms');
    expect(health.integrations.find((i) => i.integration === 'audit')).toMatchObject({ type: 'banco-audit', connection: 'connected', failed: 0, backlog: 0 });
    // The default "Banco statistics" tab feeds the latest statistics (published every 1 s here).
    await until(() => comms.find<{ entry: FeedEntry }>('banco/sidebar/stats', (d) => d.entry.kind === 'stats'), 30_000, 'statistics over comms');
    comms.close();
  });

  it('publishes new events to the editors at most twice a second, batching a burst', async () => {
    const comms = await Comms.open(hub.editorUrl, token);
    const start = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => deposit(hub.corePort, '1104567890', `0.${String(i + 1).padStart(2, '0')}`)));
    const seen = () => comms.received.filter((m) => m.topic === 'banco/sidebar/events').flatMap((m) => (m.data as { events: FeedEntry[] }).events).filter((e) => e.cedulas.includes('1104567890'));
    await until(() => (seen().length >= 20 ? true : undefined), 30_000, 'the 20 deposits over comms');
    const publishes = comms.received.filter((m) => m.topic === 'banco/sidebar/events').length;
    const elapsedS = (Date.now() - start) / 1000;
    expect(publishes).toBeLessThanOrEqual(Math.ceil(elapsedS * 2) + 1);
    expect(new Set(seen().map((e) => e.seq)).size).toBe(seen().length);
    comms.close();
  });

  it('refuses the comms channel to an editor without a valid token', async () => {
    const anonymous = await Comms.open(hub.editorUrl, undefined);
    await until(() => (anonymous.closed ? true : undefined), 5_000, 'the anonymous socket to close');
    const forged = await Comms.open(hub.editorUrl, 'not-a-token');
    expect(forged.authResult).toBe('fail');
    await deposit(hub.corePort, CEDULA, '1.00');
    await new Promise((r) => setTimeout(r, 1_200));
    expect(anonymous.received.filter((m) => m.topic.startsWith('banco/'))).toEqual([]);
    expect(forged.received.filter((m) => m.topic.startsWith('banco/'))).toEqual([]);
  });

  it('serves the metrics with the integrations\' counters to an admin, and 401 without a token', async () => {
    expect((await fetch(`${hub.editorUrl}/banco/metrics`)).status).toBe(401);
    expect((await fetch(`${hub.editorUrl}/banco/metrics`, { headers: { Authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(`${hub.editorUrl}/banco/sidebar/state`)).status).toBe(401);
    const res = await fetch(`${hub.editorUrl}/banco/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const sent = Number(/^banco_integration_sent_total\{integration="audit",node_id="f1a0000000000003",node_name="audit log"\} (\d+)$/m.exec(text)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(22);
    expect(text).toMatch(/^banco_integration_backlog\{integration="audit",node_id="f1a0000000000003",node_name="audit log"\} 0$/m);
    expect(text).toMatch(/^banco_integration_connected\{integration="audit",[^}]*\} 1$/m);
    expect(text).toMatch(/^banco_integration_connection_state\{integration="audit",[^}]*,state="connected"\} 1$/m);
    expect(Number(/^banco_nodered_events_total\{kind="transactions"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(22);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('serves the metrics to a read-only token (what Prometheus is given), which cannot change the flows', async () => {
    const readOnly = await adminToken(hub.editorUrl, 'read');
    const auth = { Authorization: `Bearer ${readOnly}` };
    expect((await fetch(`${hub.editorUrl}/banco/metrics`, { headers: auth })).status).toBe(200);
    const deploy = await fetch(`${hub.editorUrl}/flows`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '[]' });
    expect(deploy.status).toBe(401);
  });

  it('gives an opening editor the kept events, the integrations and the latest statistics', async () => {
    const res = await fetch(`${hub.editorUrl}/banco/sidebar/state`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const state = (await res.json()) as { boot: string; events: FeedEntry[]; integrations: Integration[]; stats: FeedEntry | null; bounds: { events_max: number } };
    expect(state.bounds.events_max).toBe(200);
    expect(state.events.some((e) => e.event.monto === 12.34)).toBe(true);
    expect(state.events.every((e, i) => i === 0 || e.seq > state.events[i - 1].seq)).toBe(true);
    expect(state.integrations.map((i) => i.integration)).toContain('audit');
    expect(state.stats?.kind).toBe('stats');
  });
});
