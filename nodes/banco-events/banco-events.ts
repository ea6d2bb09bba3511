/**
 * banco-events: banking events from the MQTT bus (CONTRACT §5) as messages. One message per
 * event id: duplicates (QoS 1 redelivery, outbox at-least-once, retained replays) are dropped
 * within a bounded window that survives redeploys through the node's context. A payload that is
 * not a JSON object is reported with node.error(err, msg) so Catch nodes see it.
 */
import type { NodeDef, NodeMessage, NodeStatus, RedAPI, RedNode } from '../shared/node-red';
import { boundedInt, NODE_BOUNDS } from '../shared/bounds';
import { LruSet } from '../shared/lru-set';
import { parseEvent } from '../shared/parse-event';
import { eventFeed } from '../shared/event-feed';
import { attachSettleHooks, followPending, forgetOwner, sent, track, TRACE_PROPERTY } from '../shared/flow-settle';
import type { BrokerConfigNode } from '../banco-broker/config-node';
import type { ConnectionState, DeliveredPacket } from '../banco-broker/connection';
import { filtersFor } from './subscriptions';

interface EventsDef extends NodeDef {
  broker?: string;
  kinds?: unknown;
  topic?: string;
  qos?: string | number;
  dedupe?: string | number;
  ignoreRetained?: boolean;
  /** MQTT shared-subscription group: instances in one group each get a share of the events. */
  shareGroup?: string;
  /** Hold each event's MQTT acknowledgement until the flow is done with it (default on). */
  ackAfterFlow?: boolean;
}

/**
 * Where the dedupe window waits between deploys: the runtime's global context under a key
 * naming this node (per node, never module state). Node context cannot hold it: Node-RED deletes
 * a node's in-memory context whenever the node closes, redeploys included. Removed nodes delete
 * their key, so at most one window per deployed banco-events node is kept.
 */
const seenIdsKey = (nodeId: string) => `banco-events:${nodeId}:seenIds`;

const STATUS: Record<ConnectionState, Pick<NodeStatus, 'fill' | 'shape'>> = {
  connected: { fill: 'green', shape: 'dot' },
  connecting: { fill: 'yellow', shape: 'ring' },
  disconnected: { fill: 'red', shape: 'ring' },
  error: { fill: 'red', shape: 'dot' },
};

export = function registerBancoEvents(RED: RedAPI): void {
  function BancoEventsNode(this: RedNode, def: EventsDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const broker = RED.nodes.getNode(def.broker ?? '') as BrokerConfigNode | null;
    if (!broker) return node.status({ fill: 'red', shape: 'dot', text: RED._('banco-events.status.noBroker') });
    const wanted = filtersFor(def, broker.topicPrefix);
    if (!wanted.ok) {
      node.error(wanted.message);
      return node.status({ fill: 'red', shape: 'dot', text: wanted.message });
    }
    const seen = new LruSet(boundedInt(def.dedupe, NODE_BOUNDS.dedupe_ids_default, NODE_BOUNDS.dedupe_ids_min, NODE_BOUNDS.dedupe_ids_max));
    const carried = node.context().global;
    seen.load(asArray(carried.get(seenIdsKey(node.id))));
    const ignoreRetained = def.ignoreRetained === true;
    const prefix = broker.topicPrefix;
    const detachHooks = def.ackAfterFlow !== false ? attachSettleHooks(RED) : undefined;
    if (def.ackAfterFlow !== false && !detachHooks) node.warn(RED._('banco-events.errors.noHooks'));
    const ackAfterFlow = detachHooks !== undefined;

    function onMessage(topic: string, payload: Buffer, packet: DeliveredPacket): void {
      if (ignoreRetained && packet.retain) return;
      const parsed = parseEvent(payload);
      if (!parsed.ok) {
        const msg: NodeMessage = { topic, payload: payload.toString('utf8') };
        return node.error(new Error(`${RED._('banco-events.errors.badPayload')} ${topic}: ${parsed.message}`), msg);
      }
      const release = ackAfterFlow ? packet.hold?.() : undefined;
      if (parsed.eventId !== undefined && !seen.add(parsed.eventId)) {
        // A copy of an event already passed on: acknowledged when the first copy is done with.
        if (release && !followPending(parsed.eventId, release)) release();
        return;
      }
      eventFeed.push({ nodeId: node.id, topic, prefix, event: parsed.event, eventId: parsed.eventId, bytes: payload.length });
      const msg: NodeMessage = { topic, payload: parsed.event, eventId: parsed.eventId, retain: packet.retain, qos: packet.qos };
      const trace = release ? track(node.id, release, parsed.eventId) : undefined;
      if (trace !== undefined) msg[TRACE_PROPERTY] = trace;
      node.send(msg);
      if (trace !== undefined) sent(trace);
    }

    const connection = broker.connection;
    connection.register({
      id: node.id,
      onState: (state, detail) => node.status({ ...STATUS[state], text: RED._(`banco-events.status.${state}`) + (detail ? `: ${detail}` : '') }),
    });
    // A QoS 2 message belongs to the receiver from PUBREC on, so its acknowledgement cannot wait
    // for the flow: holding acks subscribes at QoS 1 (at-least-once; duplicates are dropped by id).
    for (const { filter, qos } of wanted.filters) connection.subscribe(node.id, filter, ackAfterFlow ? (Math.min(qos, 1) as 0 | 1) : qos, onMessage);

    node.on('close', (removed: boolean, done: () => void) => {
      // Events still in the flow stay unacknowledged and come back on the next connection: they
      // must pass the dedupe window then, so they leave it before it is kept for the next deploy.
      for (const eventId of forgetOwner(node.id)) seen.delete(eventId);
      carried.set(seenIdsKey(node.id), removed ? undefined : seen.toArray());
      detachHooks?.();
      connection.deregister(node.id).then(done, done);
    });
  }
  RED.nodes.registerType('banco-events', BancoEventsNode);
};

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
