/**
 * Prometheus metrics of the Node-RED side (docs/metrics.md, "Node-RED"): per integration node,
 * read from the sink registry and the event feed at scrape time — no node has to count for
 * them. Served by the plugin at GET <admin root>/banco/metrics (banco-sidebar.ts).
 *
 * Counters come from the sink queues' own counters; a redeployed node starts a new queue, so its
 * series restart at 0, which Prometheus reads as a counter reset (rate() stays right).
 * Labels are bounded: `integration` is a closed set (audit, email, kafka, azure), `node_id` one
 * per deployed sink node, `kind` the event catalog's kinds plus `other`, `state` the five
 * connection states.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EventFeed } from '../../nodes/shared/event-feed';
import type { ConnectionState } from '../../nodes/shared/sink/registry';
import { integrationViews, type IntegrationView } from './integrations';

const CONNECTION_STATES: readonly ConnectionState[] = ['connected', 'connecting', 'disconnected', 'idle', 'error'];
const LABELS = ['integration', 'node_id', 'node_name'] as const;

type Labels = Record<(typeof LABELS)[number], string>;
const labelsOf = (v: IntegrationView): Labels => ({ integration: v.integration, node_id: v.nodeId, node_name: v.name });

/** The counters and gauges read from one IntegrationView each. */
const PER_INTEGRATION: ReadonlyArray<{ name: string; help: string; kind: 'counter' | 'gauge'; value(v: IntegrationView): number | undefined }> = [
  { name: 'banco_integration_sent_total', kind: 'counter', help: 'Events this integration node delivered (audit record durable, mail accepted, Kafka/Azure acknowledged).', value: (v) => v.sent },
  { name: 'banco_integration_failed_total', kind: 'counter', help: 'Events this integration node gave up on (refused permanently, retries exhausted, queue full, closed).', value: (v) => v.failed },
  { name: 'banco_integration_duplicates_total', kind: 'counter', help: 'Events not sent again because their id was already delivered or queued.', value: (v) => v.duplicates },
  { name: 'banco_integration_backlog', kind: 'gauge', help: 'Events waiting or in flight in this integration node\'s queue.', value: (v) => v.backlog },
  { name: 'banco_integration_failing_attempts', kind: 'gauge', help: 'Failed tries of the batch being retried now (0 when the last try succeeded).', value: (v) => v.failingAttempts },
  { name: 'banco_integration_connected', kind: 'gauge', help: '1 when the integration\'s transport is connected, else 0.', value: (v) => (v.connection === 'connected' ? 1 : 0) },
  { name: 'banco_integration_state_since_timestamp_seconds', kind: 'gauge', help: 'When the connection state last changed (Unix time).', value: (v) => v.since / 1000 },
  { name: 'banco_integration_last_sent_timestamp_seconds', kind: 'gauge', help: 'When the last event was delivered (Unix time); absent before the first.', value: (v) => (v.lastSentAt === null ? undefined : v.lastSentAt / 1000) },
  { name: 'banco_integration_last_error_timestamp_seconds', kind: 'gauge', help: 'When the last delivery error happened (Unix time); absent when none.', value: (v) => (v.lastError === null ? undefined : v.lastError.at / 1000) },
];

export const NODE_RED_METRIC_NAMES = [...PER_INTEGRATION.map((m) => m.name), 'banco_integration_connection_state', 'banco_nodered_events_total'] as const;

export function nodeRedMetrics(feed: EventFeed, opts: { processMetrics: boolean } = { processMetrics: true }): Registry {
  const registry = new Registry();
  for (const spec of PER_INTEGRATION) {
    const Metric = spec.kind === 'counter' ? Counter : Gauge;
    new Metric({
      name: spec.name, help: spec.help, labelNames: LABELS, registers: [registry],
      collect(this: Counter<(typeof LABELS)[number]> | Gauge<(typeof LABELS)[number]>) {
        this.reset();
        for (const v of integrationViews()) {
          const value = spec.value(v);
          if (value === undefined) continue;
          if (this instanceof Counter) this.inc(labelsOf(v), value);
          else this.set(labelsOf(v), value);
        }
      },
    });
  }
  new Gauge({
    name: 'banco_integration_connection_state', help: 'The transport\'s connection state: 1 on the current state, 0 on the others.',
    labelNames: [...LABELS, 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const v of integrationViews()) for (const state of CONNECTION_STATES) this.set({ ...labelsOf(v), state }, v.connection === state ? 1 : 0);
    },
  });
  new Counter({
    name: 'banco_nodered_events_total', help: 'Events the banco-events nodes of this Node-RED process passed on, each once (by event id), by kind.',
    labelNames: ['kind'], registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of feed.passedByKind()) this.inc({ kind }, n);
    },
  });
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}
