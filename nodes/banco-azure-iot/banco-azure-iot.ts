/**
 * banco-azure-iot: sends each input as IoT Hub device telemetry (QoS 1; done() after the PUBACK)
 * and emits cloud-to-device messages on its second output. Events go through the shared
 * SinkQueue: bounded while disconnected, ordered, retried until delivered, deduplicated by event
 * id. Until a connection string is set the node is idle: its status names the variable to set and
 * events complete without being sent (counted on the status), so an unconfigured default flow
 * neither fails nor floods the log. The shared sink glue (nodes/shared/sink/sink-node.ts) does
 * input → push → done, the status and the flush on close; this file maps the device state onto it.
 */
import type { AzureDeviceConfigNode } from '../banco-azure-device/config-node';
import type { DeviceConnection } from '../banco-azure-device/device-connection';
import { AZURE_LIMITS } from '../banco-azure-device/limits';
import { boundedInt } from '../shared/bounds';
import type { DoneFn, NodeDef, NodeMessage, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { SinkError } from '../shared/sink/sink-error';
import { registerSink } from '../shared/sink/registry';
import { runSinkNode, type Connection } from '../shared/sink/sink-node';
import { SinkQueue, type SinkStats } from '../shared/sink/sink-queue';
import { c2dOutput } from './c2d-message';
import { RateLimit } from './rate-limit';
import { telemetryOf, type TelemetryItem } from './telemetry';
import { IotHubTransport } from './transport';

interface AzureIotDef extends NodeDef {
  device?: string;
  batchEvents?: string | number;
  lingerMs?: string | number;
  sendsPerSecond?: string | number;
  messagesPerDay?: string | number;
  queueMax?: string | number;
}

/** Retry of a batch that failed transiently (not connected, no PUBACK): until delivered or closed. */
const RETRY = { initial_ms: 500, max_ms: 30_000, attempts_max: Infinity } as const;

function queueOf(def: AzureIotDef, connection: DeviceConnection): SinkQueue<TelemetryItem> {
  const L = AZURE_LIMITS;
  const batchEvents = boundedInt(def.batchEvents, L.batch_events_default, L.batch_events_min, L.batch_events_max);
  const messagesPerDay = boundedInt(def.messagesPerDay, L.messages_per_day_default, L.messages_per_day_min, L.messages_per_day_max);
  const limit = new RateLimit({ sendsPerSecond: boundedInt(def.sendsPerSecond, L.sends_per_s_default, L.sends_per_s_min, L.sends_per_s_max), messagesPerDay });
  const queueMax = Math.max(batchEvents, boundedInt(def.queueMax, L.queue_events_default, L.queue_events_min, L.queue_events_max));
  // One SinkQueue batch is up to `inflight_messages_max` IoT Hub messages, published back to back.
  const batchMax = Math.min(queueMax, batchEvents * L.inflight_messages_max);
  const queue = new SinkQueue(new IotHubTransport(connection, limit, batchEvents, messagesPerDay), {
    queueMax,
    batchMax,
    lingerMs: batchEvents > 1 ? boundedInt(def.lingerMs, L.batch_linger_ms_default, L.batch_linger_ms_min, L.batch_linger_ms_max) : 0,
    retry: RETRY,
    dedupeIds: L.dedupe_ids,
  });
  return queue;
}

export = function registerBancoAzureIot(RED: RedAPI): void {
  function BancoAzureIotNode(this: RedNode, def: AzureIotDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = (def.device ? RED.nodes.getNode(def.device) : null) as AzureDeviceConfigNode | null;
    const handle = config?.device;
    if (!handle || handle.kind === 'error') {
      const problem = handle?.kind === 'error' ? handle.message : RED._('banco-azure-iot.errors.noDevice');
      const show = () => node.status({ fill: 'red', shape: 'dot', text: `${RED._('banco-azure-iot.status.settings')}: ${problem.slice(0, 80)}` });
      show();
      node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => {
        show();
        done(new SinkError('permanent', `IoT Hub device settings: ${problem}`));
      });
      return;
    }
    if (handle.kind === 'idle') return idle(node, handle.missing);
    wire(node, def, handle.connection);
  }

  /** Idle: no queue, no connection; the sidebar still lists the node with what to set. */
  function idle(node: RedNode, missing: string): void {
    let skipped = 0;
    const detail = () => RED._('banco-azure-iot.status.idle', { env: missing }) + (skipped > 0 ? ` · ${RED._('banco-azure-iot.status.skipped', { n: skipped })}` : '');
    const show = () => node.status({ fill: 'grey', shape: 'ring', text: detail() });
    const stats: SinkStats = { sent: 0, failed: 0, duplicates: 0, backlog: 0, failingAttempts: 0, lastError: undefined, lastSentAt: undefined, closed: false };
    const since = Date.now();
    const unregister = registerSink(node.id, () => ({ nodeId: node.id, type: node.type, name: node.name ?? '', connection: 'idle', detail: detail(), stats, since }));
    show();
    node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => {
      skipped += 1;
      show();
      done();
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      unregister();
      done();
    });
  }

  /** What the shared sink status shows for the device connection's real state. */
  function connectionOf(connection: DeviceConnection): Connection {
    switch (connection.state) {
      case 'connected':
        return { state: 'connected' };
      case 'connecting':
      case 'renewing':
        return { state: 'connecting' };
      case 'auth_failed':
        return { state: 'error', detail: `${RED._('banco-azure-iot.status.authFailed')}: ${(connection.stateDetail ?? '').replace(/^Connection refused: /, '')}` };
      case 'error':
      case 'disconnected':
      case 'closed':
        return { state: 'disconnected', detail: connection.stateDetail };
    }
  }

  function wire(node: RedNode, def: AzureIotDef, connection: DeviceConnection): void {
    const queue = queueOf(def, connection);
    const sink = runSinkNode<TelemetryItem>({
      RED, node, queue,
      connection: () => connectionOf(connection),
      prepare: (msg: NodeMessage) => {
        const prepared = telemetryOf(msg);
        return prepared.ok ? { id: prepared.item.eventId, value: prepared.item } : prepared.error;
      },
      output: (msg, result) => (result === 'sent' ? msg : null),
      closeTransport: () => connection.deregister(node.id),
    });
    connection.register({
      id: node.id,
      onState: () => sink.refreshStatus(),
      onC2d: (message) => node.send([null, c2dOutput(message)] as never),
    });
  }

  RED.nodes.registerType('banco-azure-iot', BancoAzureIotNode);
};
