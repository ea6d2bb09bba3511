/**
 * Which topic filters a banco-events node subscribes to: the chosen kinds (CONTRACT §5 topics
 * under the broker's prefix, each at its contract QoS) plus an optional custom filter.
 */
import { isEventKind, isValidTopicFilter, qosForKind, topicForKind } from '../shared/event-kinds';

export interface EventsFilter {
  filter: string;
  qos: 0 | 1 | 2;
}

export type FiltersResult = { ok: true; filters: EventsFilter[] } | { ok: false; message: string };

function kindsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') return value.split(',').map((k) => k.trim());
  return [];
}

function qosOf(value: unknown): 0 | 1 | 2 {
  const n = Number(value);
  return n === 0 || n === 2 ? n : 1;
}

/** A share group name: one topic level, no wildcards (MQTT 5 §4.8.2). */
const SHARE_GROUP = /^[A-Za-z0-9_.-]{1,64}$/;

export function filtersFor(def: { kinds?: unknown; topic?: unknown; qos?: unknown; shareGroup?: unknown }, prefix: string): FiltersResult {
  const filters: EventsFilter[] = [];
  for (const kind of kindsOf(def.kinds)) {
    if (!isEventKind(kind)) return { ok: false, message: `unknown event kind "${String(kind)}"` };
    filters.push({ filter: topicForKind(kind, prefix), qos: qosForKind(kind) });
  }
  const custom = typeof def.topic === 'string' ? def.topic.trim() : '';
  if (custom !== '') {
    if (!isValidTopicFilter(custom)) return { ok: false, message: `"${custom}" is not a valid MQTT topic filter` };
    filters.push({ filter: custom, qos: qosOf(def.qos) });
  }
  if (filters.length === 0) return { ok: false, message: 'choose at least one event kind or a topic' };
  const group = typeof def.shareGroup === 'string' ? def.shareGroup.trim() : '';
  if (group === '') return { ok: true, filters };
  if (!SHARE_GROUP.test(group)) return { ok: false, message: `share group "${group}" must be 1–64 letters, digits, '.', '_' or '-'` };
  // Several instances subscribed in one group share the events: the broker gives each to one.
  return { ok: true, filters: filters.map((f) => ({ ...f, filter: `$share/${group}/${f.filter}` })) };
}
