/**
 * banco-kafka-export: exports each incoming banking event to Kafka (topic default
 * `banco.transacciones`, key = cédula, event id/type headers, value = event JSON + schema_version)
 * through the shared sink glue (runSinkNode + SinkQueue): batched by count and linger time,
 * bounded while Kafka is away (newest refused with queue_full), retried until the broker
 * acknowledged (acks −1, idempotent producer); done() only then. Close flushes.
 *
 * With no brokers configured (KAFKA_BROKERS unset) the node is idle: grey status naming the
 * variable, events counted as skipped, done() without error — no retries, no log spam. Bad
 * settings: red status, each event to Catch with the reason.
 */
import type { KafkaRecord } from '../banco-kafka/client';
import type { KafkaConfigNode } from '../banco-kafka/config-node';
import { KAFKA_LIMITS } from '../banco-kafka/limits';
import type { DoneFn, NodeMessage, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { registerSink } from '../shared/sink/registry';
import { sinkStatus, runSinkNode, type Connection } from '../shared/sink/sink-node';
import { SinkError } from '../shared/sink/sink-error';
import { SinkQueue, type SinkStats } from '../shared/sink/sink-queue';
import { sinkConnectionOf } from './connection-state';
import { readExportOptions, type ExportDef } from './export-options';
import { KafkaTransport } from './kafka-transport';
import { prepareRecord } from './kafka-record';

/** While idle, the status shows the skipped count on the first and every this many events. */
const IDLE_STATUS_EVERY_EVENTS = 100;
const NO_STATS: SinkStats = { sent: 0, failed: 0, duplicates: 0, backlog: 0, failingAttempts: 0, lastError: undefined, lastSentAt: undefined, closed: false };

export = function registerBancoKafkaExport(RED: RedAPI): void {
  /** Idle (no brokers) or misconfigured: no client, no queue; the status says what to set. */
  function runUnconfigured(node: RedNode, connection: (skipped: number) => Connection, problem: string | undefined): void {
    let skipped = 0;
    const show = () => node.status(sinkStatus(RED, node.type, connection(skipped), NO_STATS));
    const since = Date.now();
    const unregister = registerSink(node.id, () => {
      const conn = connection(skipped);
      return { nodeId: node.id, type: node.type, name: node.name ?? '', connection: conn.state, detail: conn.detail ?? '', stats: NO_STATS, since };
    });
    setImmediate(show); // after the flow's Status nodes exist
    node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => {
      skipped += 1;
      if (problem !== undefined) return done(new SinkError('permanent', `Kafka export is not configured: ${problem}`));
      // The skipped count shows on the first and every 100th event: a busy flow must not flood the editor.
      if (skipped === 1 || skipped % IDLE_STATUS_EVERY_EVENTS === 0) show();
      done();
    });
    node.on('close', (_removed: boolean, done: () => void) => { unregister(); done(); });
  }

  function BancoKafkaExportNode(this: RedNode, def: ExportDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const opts = readExportOptions(def);
    const config = RED.nodes.getNode(def.kafka ?? '') as KafkaConfigNode | null;
    const settings = config?.link.settings;
    if (!config || !settings || settings.kind !== 'ok') {
      if (settings?.kind === 'idle') {
        const env = settings.reason;
        runUnconfigured(node, (skipped) => ({ state: 'idle', detail: RED._('banco-kafka-export.status.idle', { env, skipped }) }), undefined);
      } else {
        const problem = settings?.kind === 'invalid' ? settings.message : 'no banco-kafka config node selected';
        runUnconfigured(node, () => ({ state: 'error', detail: RED._('banco-kafka-export.status.invalid', { error: problem }) }), problem);
      }
      return;
    }

    const client = config.link.use(node.id)!;
    const queue = new SinkQueue<KafkaRecord>(new KafkaTransport(client), opts.queue);
    const handle = runSinkNode<KafkaRecord>({
      RED,
      node,
      queue,
      prepare: (msg) => {
        const prepared = prepareRecord(msg, opts.record);
        return prepared.ok ? { id: prepared.eventId, value: prepared.record } : prepared.error;
      },
      connection: () => sinkConnectionOf(client.state),
      output: (msg, result, record) => ({ ...msg, kafka: { topic: record.topic, key: record.key, result } }),
      closeTransport: async () => {
        stopWatching();
        config.link.leave(node.id);
      },
      closeFlushMs: KAFKA_LIMITS.close_flush_ms,
    });
    const stopWatching = client.onState(() => handle.refreshStatus());
  }
  RED.nodes.registerType('banco-kafka-export', BancoKafkaExportNode);
};
