/**
 * Event kinds and their MQTT topic filters, as the Node-RED nodes use them. The kinds, topics and
 * QoS come from the event catalog (core/outbox/event-catalog.ts, CONTRACT §5); the prefix
 * (`banco`) is configurable on the broker node.
 */
import { DEFAULT_TOPIC_PREFIX, EVENT_CATALOG, kindFilter, type EventKind, type Qos } from '../../core/outbox/event-catalog';

export { DEFAULT_TOPIC_PREFIX, type EventKind };

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_CATALOG, value);
}

/** The filter matching every event of a kind, e.g. `banco/saldo/+` for `balance`. */
export function topicForKind(kind: EventKind, prefix: string = DEFAULT_TOPIC_PREFIX): string {
  return kindFilter(kind, prefix);
}

/** The QoS the contract publishes a kind at, so a subscription does not downgrade it. */
export function qosForKind(kind: EventKind): Qos {
  return EVENT_CATALOG[kind].qos;
}

/** MQTT topic filter matching (MQTT 3.1.1 §4.7: `+` one level, `#` the rest, `$` topics apart). */
/** A shared subscription `$share/<group>/<filter>` (MQTT 5 §4.8.2) receives what `<filter>` matches. */
export function withoutShare(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.indexOf('/', '$share/'.length);
  return rest === -1 ? filter : filter.slice(rest + 1);
}

export function topicMatches(subscription: string, topic: string): boolean {
  const filter = withoutShare(subscription);
  if (topic.startsWith('$') && !filter.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A subscription filter is valid when wildcards occupy whole levels and `#` comes last. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 65_535) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    return !level.includes('+') || level === '+';
  });
}
