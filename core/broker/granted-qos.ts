/**
 * aedes 1.2 downgrades a message to the subscriber's granted QoS only when the subscription is the
 * message's exact topic (lib/client.js looks up `subscriptions[packet.topic]`): a subscriber on
 * `banco/#` at QoS 1 got `banco/alertas` (QoS 2, CONTRACT §5) at QoS 2. MQTT 3.1.1 §3.8.4 says it
 * is delivered at most at the granted QoS; mqtt.js hands a QoS 2 message over only at PUBREL, so
 * alertas reached such a subscriber behind later messages, and in the chaos run some never did.
 */
import type { AedesPublishPacket, Client } from 'aedes';

type Qos = 0 | 1 | 2;

/** True when `topic` matches the MQTT filter (`+` one level, a trailing `#` any levels). */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i < t.length || i === t.length;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** The highest QoS granted to `client` by a filter matching `topic`; null when none matches. */
function grantedQos(client: Client, topic: string): Qos | null {
  const subscriptions = (client as Client & { subscriptions?: Record<string, { qos?: number }> }).subscriptions ?? {};
  let granted: Qos | null = null;
  for (const [filter, sub] of Object.entries(subscriptions)) {
    const qos = (sub.qos ?? 0) as Qos;
    if (filterMatches(filter, topic) && (granted === null || qos > granted)) granted = qos;
  }
  return granted;
}

/** The packet to forward to `client`: a copy at the granted QoS when it was published higher. */
export function atGrantedQos(client: Client, packet: AedesPublishPacket): AedesPublishPacket {
  const granted = grantedQos(client, packet.topic);
  if (granted === null || granted >= packet.qos) return packet;
  return { ...packet, qos: granted } as AedesPublishPacket;
}
