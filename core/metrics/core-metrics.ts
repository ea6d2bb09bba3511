/**
 * The core's Prometheus metrics (docs/metrics.md lists every name). Each core process owns one
 * registry, every series labelled `banco_instance` (its instance id), so several cores on one
 * database are told apart: Prometheus sums them, nothing is overwritten. Counters and histograms
 * are fed as things happen; the outbox backlog and the open connections are read at scrape time.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { Resultado } from '../ledger/types';
import type { OutboxBacklog } from '../store/store';
import { PUBLISH_BUCKETS_S, REQUEST_BUCKETS_S } from './limits';

/** Movement types counted, as the ledger names them (JSON ops). */
export const MOVEMENT_TYPES = ['depositar', 'retirar', 'transferir'] as const;

/** What the scrape-time gauges read; each returns the figure now, or throws when it cannot. */
export interface CoreGaugeSources {
  /** Unsent outbox rows and the commit time of the oldest (a store query, probed with a bound by health.ts). */
  backlog(): Promise<OutboxBacklog>;
  connections(): number;
  brokerConnected(): boolean | null;
  relayLeader(): boolean | null;
}

export interface CoreMetricsOptions {
  instance: string;
  clock: Clock;
  /** prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC): one set per process. */
  processMetrics: boolean;
}

/** 'YYYY-MM-DD HH:MM:SS' in local time (core/clock.ts formatLegacyTimestamp) → epoch ms. */
export function parseLegacyTimestamp(text: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

export class CoreMetrics {
  readonly registry = new Registry();
  private readonly movements: Counter<'type'>;
  private readonly requests: Histogram<'protocol' | 'op'>;
  private readonly publishes: Histogram<'qos'>;
  private sources: CoreGaugeSources | null = null;

  constructor(private readonly options: CoreMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ banco_instance: options.instance });
    this.movements = new Counter({ name: 'banco_core_movements_total', help: 'Money movements committed by this core, by type (depositar, retirar, transferir).', labelNames: ['type'], registers });
    for (const type of MOVEMENT_TYPES) this.movements.inc({ type }, 0);
    this.requests = new Histogram({ name: 'banco_core_request_duration_seconds', help: 'Time from a request line to its answer, by protocol (json, legacy) and op.', labelNames: ['protocol', 'op'], buckets: REQUEST_BUCKETS_S, registers });
    this.publishes = new Histogram({ name: 'banco_core_relay_publish_duration_seconds', help: 'Time from the relay publishing an outbox row to the broker acknowledging it, by QoS.', labelNames: ['qos'], buckets: PUBLISH_BUCKETS_S, registers });
    this.scrapeGauges(registers);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The gauges read at scrape time; a source that fails leaves its gauge out of that scrape. */
  private scrapeGauges(registers: Registry[]): void {
    const self = this;
    new Gauge({ name: 'banco_core_outbox_backlog_rows', help: 'Outbox rows committed and not yet acknowledged by the broker (all core processes of the database).', registers, async collect() {
      const b = await self.sources?.backlog().catch(() => null);
      if (b) this.set(b.rows);
    } });
    new Gauge({ name: 'banco_core_outbox_oldest_unsent_age_seconds', help: 'Age of the oldest unsent outbox row (0 when none), to the second.', registers, async collect() {
      const b = await self.sources?.backlog().catch(() => null);
      if (b) this.set(self.ageSeconds(b));
    } });
    new Gauge({ name: 'banco_core_connections', help: 'Open TCP connections to this core (both protocols).', registers, collect() {
      if (self.sources) this.set(self.sources.connections());
    } });
    new Gauge({ name: 'banco_core_broker_connected', help: 'The relay\'s MQTT client is connected to the broker (1) or not (0); absent when the relay is off.', registers, collect() {
      const c = self.sources?.brokerConnected();
      if (c !== null && c !== undefined) this.set(c ? 1 : 0);
    } });
    new Gauge({ name: 'banco_core_relay_leader', help: 'This core holds the relay leader lease (1) or stands by (0); absent when the relay is off.', registers, collect() {
      const l = self.sources?.relayLeader();
      if (l !== null && l !== undefined) this.set(l ? 1 : 0);
    } });
  }

  ageSeconds(backlog: OutboxBacklog): number {
    if (backlog.oldestCreado === null) return 0;
    const at = parseLegacyTimestamp(backlog.oldestCreado);
    return at === null ? 0 : Math.max(0, (this.options.clock.now().getTime() - at) / 1000);
  }

  /** Connects the scrape-time gauges to the running core. */
  attach(sources: CoreGaugeSources): void {
    this.sources = sources;
  }

  /** Counts the committed money movements of one batch (account creation is not a movement). */
  countCommitted(results: readonly Resultado[]): void {
    for (const r of results) if (r.ok && r.tipo !== 'crear') this.movements.inc({ type: r.tipo });
  }

  observeRequest(protocol: 'json' | 'legacy', op: string, seconds: number): void {
    this.requests.observe({ protocol, op }, seconds);
  }

  observePublish(qos: 0 | 1 | 2, seconds: number): void {
    this.publishes.observe({ qos: String(qos) }, seconds);
  }
}
