/**
 * Event kinds and their MQTT topics (CONTRACT §5). The prefix (`banco`) is configurable on the
 * broker node; the rest of each topic is fixed.
 */
export const EVENT_KINDS = {
  transactions: { suffix: 'transacciones', qos: 1 },
  deposits: { suffix: 'depositos', qos: 1 },
  withdrawals: { suffix: 'retiros', qos: 1 },
  transfers: { suffix: 'transferencias', qos: 1 },
  balance: { suffix: 'saldo/+', qos: 1 },
  alerts: { suffix: 'alertas', qos: 2 },
  stats: { suffix: 'estadisticas', qos: 0 },
} as const;

export type EventKind = keyof typeof EVENT_KINDS;

export const DEFAULT_TOPIC_PREFIX = 'banco';

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_KINDS, value);
}

export function topicForKind(kind: EventKind, prefix: string = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}/${EVENT_KINDS[kind].suffix}`;
}

/** MQTT topic filter matching (MQTT 3.1.1 §4.7: `+` one level, `#` the rest, `$` topics apart). */
export function topicMatches(filter: string, topic: string): boolean {
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
