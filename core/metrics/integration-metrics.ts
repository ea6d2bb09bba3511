/**
 * Per-integration counters for the Node-RED side (audit, email, Kafka, Azure...): a small API a
 * runtime plugin or node registers on its own prom-client Registry (docs/metrics.md). The label
 * `integration` takes the node type or a short name chosen by the caller; keep it to a closed
 * set (one per integration node, not per message), as every value is a new series.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface IntegrationMetrics {
  /** One event delivered (made durable, sent, acknowledged) by `integration`. */
  sent(integration: string, count?: number): void;
  /** One event `integration` gave up on or must retry. */
  failed(integration: string, count?: number): void;
  /** Events waiting in `integration`'s own queue right now. */
  backlog(integration: string, rows: number): void;
}

export const INTEGRATION_METRIC_NAMES = ['banco_integration_sent_total', 'banco_integration_failed_total', 'banco_integration_backlog'] as const;

export function registerIntegrationMetrics(registry: Registry): IntegrationMetrics {
  const registers = [registry];
  const labelNames = ['integration'] as const;
  const sent = new Counter({ name: INTEGRATION_METRIC_NAMES[0], help: 'Events an integration delivered (audit written, mail sent, Kafka/Azure acknowledged).', labelNames, registers });
  const failed = new Counter({ name: INTEGRATION_METRIC_NAMES[1], help: 'Events an integration failed to deliver (each attempt that failed).', labelNames, registers });
  const backlog = new Gauge({ name: INTEGRATION_METRIC_NAMES[2], help: 'Events waiting in an integration\'s own queue.', labelNames, registers });
  return {
    sent: (integration, count = 1) => sent.inc({ integration }, count),
    failed: (integration, count = 1) => failed.inc({ integration }, count),
    backlog: (integration, rows) => backlog.set({ integration }, rows),
  };
}
