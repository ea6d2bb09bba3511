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

    function onMessage(topic: string, payload: Buffer, packet: DeliveredPacket): void {
      if (ignoreRetained && packet.retain) return;
      const parsed = parseEvent(payload);
      if (!parsed.ok) {
        const msg: NodeMessage = { topic, payload: payload.toString('utf8') };
        return node.error(new Error(`${RED._('banco-events.errors.badPayload')} ${topic}: ${parsed.message}`), msg);
      }
      if (parsed.eventId !== undefined && !seen.add(parsed.eventId)) return;
      eventFeed.push({ nodeId: node.id, topic, prefix, event: parsed.event, eventId: parsed.eventId, bytes: payload.length });
      node.send({ topic, payload: parsed.event, eventId: parsed.eventId, retain: packet.retain, qos: packet.qos });
    }

    const connection = broker.connection;
    connection.register({
      id: node.id,
      onState: (state, detail) => node.status({ ...STATUS[state], text: RED._(`banco-events.status.${state}`) + (detail ? `: ${detail}` : '') }),
    });
    for (const { filter, qos } of wanted.filters) connection.subscribe(node.id, filter, qos, onMessage);

    node.on('close', (removed: boolean, done: () => void) => {
      carried.set(seenIdsKey(node.id), removed ? undefined : seen.toArray());
      connection.deregister(node.id).then(done, done);
    });
  }
  RED.nodes.registerType('banco-events', BancoEventsNode);
};

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
