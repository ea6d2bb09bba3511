/**
 * banco-azure-iot: sends each input as IoT Hub device telemetry (QoS 1; done() after the PUBACK)
 * and emits cloud-to-device messages on its second output. Events go through the shared
 * SinkQueue: bounded while disconnected, ordered, retried until delivered, deduplicated by event
 * id. Until a connection string is set the node is idle: its status names the variable to set and
 * events complete without being sent (counted on the status), so an unconfigured default flow
 * neither fails nor floods the log.
 */
import type { AzureDeviceConfigNode } from '../banco-azure-device/config-node';
import type { DeviceConnection } from '../banco-azure-device/device-connection';
import { AZURE_LIMITS } from '../banco-azure-device/limits';
import { boundedInt } from '../shared/bounds';
import type { DoneFn, NodeDef, NodeMessage, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { SinkError } from '../shared/sink/sink-error';
import { SinkQueue } from '../shared/sink/sink-queue';
import { c2dOutput } from './c2d-message';
import { RateLimit } from './rate-limit';
import { deviceStatus } from './status-text';
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

function queueOf(def: AzureIotDef, connection: DeviceConnection): { queue: SinkQueue<TelemetryItem>; limit: RateLimit } {
  const L = AZURE_LIMITS;
  const batchEvents = boundedInt(def.batchEvents, L.batch_events_default, L.batch_events_min, L.batch_events_max);
  const messagesPerDay = boundedInt(def.messagesPerDay, L.messages_per_day_default, L.messages_per_day_min, L.messages_per_day_max);
  const limit = new RateLimit({ sendsPerSecond: boundedInt(def.sendsPerSecond, L.sends_per_s_default, L.sends_per_s_min, L.sends_per_s_max), messagesPerDay });
  const queueMax = Math.max(batchEvents, boundedInt(def.queueMax, L.queue_events_default, L.queue_events_min, L.queue_events_max));
  const queue = new SinkQueue(new IotHubTransport(connection, limit, batchEvents > 1, messagesPerDay), {
    queueMax,
    batchMax: batchEvents,
    lingerMs: batchEvents > 1 ? boundedInt(def.lingerMs, L.batch_linger_ms_default, L.batch_linger_ms_min, L.batch_linger_ms_max) : 0,
    retry: RETRY,
    dedupeIds: L.dedupe_ids,
  });
  return { queue, limit };
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

  function idle(node: RedNode, missing: string): void {
    let skipped = 0;
    const show = () => node.status({ fill: 'yellow', shape: 'ring', text: RED._('banco-azure-iot.status.idle', { env: missing }) + (skipped > 0 ? ` · ${RED._('banco-azure-iot.status.skipped', { n: skipped })}` : '') });
    show();
    node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => {
      skipped += 1;
      show();
      done();
    });
  }

  function wire(node: RedNode, def: AzureIotDef, connection: DeviceConnection): void {
    const { queue } = queueOf(def, connection);
    let statusAt = 0;
    let pending: NodeJS.Timeout | undefined;
    const show = (force: boolean) => {
      clearTimeout(pending);
      const wait = statusAt + AZURE_LIMITS.status_interval_ms - Date.now();
      if (!force && wait > 0) {
        pending = setTimeout(() => show(true), wait);
        return;
      }
      statusAt = Date.now();
      node.status(deviceStatus(RED._, connection.state, connection.stateDetail, queue.stats()));
    };
    queue.on('change', () => show(false));
    connection.register({
      id: node.id,
      onState: () => show(true),
      onC2d: (message) => node.send([null, c2dOutput(message)] as never),
    });

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const prepared = telemetryOf(msg);
      if (!prepared.ok) return done(prepared.error);
      queue.push(prepared.item.eventId, prepared.item).then(
        (result) => {
          if (result === 'sent') send([msg, null]);
          done();
        },
        (err: SinkError) => done(err),
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearTimeout(pending);
      queue
        .close(AZURE_LIMITS.flush_ms)
        .then(() => connection.deregister(node.id))
        .then(done, () => done());
    });
  }

  RED.nodes.registerType('banco-azure-iot', BancoAzureIotNode);
};
