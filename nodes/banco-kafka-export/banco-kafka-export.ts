/**
 * banco-kafka-export: exports each incoming banking event to Kafka (topic default
 * `banco.transacciones`, key = cédula, event id/type headers, value = event JSON + schema_version)
 * through the shared SinkQueue: batched by count and linger time, bounded while Kafka is away
 * (newest refused with queue_full), retried until the broker acknowledged (acks −1, idempotent
 * producer); done() only then. Close flushes for KAFKA_LIMITS.close_flush_ms.
 *
 * With no brokers configured (KAFKA_BROKERS unset) the node is idle: grey status naming the
 * variable, events counted as skipped, done() without error — no retries, no log spam.
 */
import type { KafkaRecord } from '../banco-kafka/client';
import type { KafkaConfigNode } from '../banco-kafka/config-node';
import { KAFKA_LIMITS } from '../banco-kafka/limits';
import type { DoneFn, NodeMessage, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { SinkQueue } from '../shared/sink/sink-queue';
import { statusView, type StatusInput } from './export-status';
import { readExportOptions, type ExportDef } from './export-options';
import { KafkaTransport } from './kafka-transport';
import { prepareRecord } from './kafka-record';

export = function registerBancoKafkaExport(RED: RedAPI): void {
  function BancoKafkaExportNode(this: RedNode, def: ExportDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const opts = readExportOptions(def);
    const config = RED.nodes.getNode(def.kafka ?? '') as KafkaConfigNode | null;
    let skipped = 0;
    let statusInput: () => StatusInput;
    let statusAt = 0;
    let statusTimer: NodeJS.Timeout | undefined;

    const render = () => {
      statusTimer = undefined;
      statusAt = Date.now();
      const view = statusView(statusInput());
      node.status({ fill: view.fill, shape: view.shape, text: RED._(`banco-kafka-export.status.${view.key}`, view.subs) });
    };
    const showStatus = () => {
      if (statusTimer) return;
      const wait = KAFKA_LIMITS.status_interval_ms - (Date.now() - statusAt);
      if (wait <= 0) render();
      else statusTimer = setTimeout(render, wait);
    };

    if (!config || config.link.settings.kind !== 'ok') {
      const settings = config?.link.settings;
      statusInput = () => (settings?.kind === 'idle' ? { kind: 'idle', envVar: settings.reason, skipped } : { kind: 'invalid', message: settings?.kind === 'invalid' ? settings.message : 'no banco-kafka config node selected' });
      setImmediate(render); // after the flow's Status nodes exist
      node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => {
        if (settings?.kind !== 'idle') return done(new Error(`Kafka export is not configured: ${settings?.kind === 'invalid' ? settings.message : 'no banco-kafka config node selected'}`));
        skipped += 1;
        showStatus();
        done();
      });
      node.on('close', (_removed: boolean, done: () => void) => { clearTimeout(statusTimer); done(); });
      return;
    }

    const client = config.link.use(node.id)!;
    const queue = new SinkQueue<KafkaRecord>(new KafkaTransport(client), opts.queue);
    statusInput = () => ({ kind: 'running', connection: client.state, stats: queue.stats() });
    queue.on('change', showStatus);
    const stopWatching = client.onState(showStatus);
    setImmediate(render);

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const prepared = prepareRecord(msg, opts.record);
      if (!prepared.ok) return done(prepared.error);
      const { topic, key } = prepared.record;
      queue.push(prepared.eventId, prepared.record).then(
        (result) => { send({ ...msg, kafka: { topic, key, result } }); done(); },
        (err: Error) => done(err),
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      queue.close(KAFKA_LIMITS.close_flush_ms).then(({ unsent }) => {
        if (unsent > 0) node.warn(`closed with ${unsent} event(s) not acknowledged by Kafka`);
      }).finally(() => {
        stopWatching();
        queue.off('change', showStatus);
        clearTimeout(statusTimer);
        config.link.leave(node.id);
        done();
      });
    });
  }
  RED.nodes.registerType('banco-kafka-export', BancoKafkaExportNode);
};
