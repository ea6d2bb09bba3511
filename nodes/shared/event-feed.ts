/**
 * The events banco-events nodes passed on in this Node-RED process, for whoever shows them (the
 * Banco sidebar, metrics): a bounded ring of the latest events plus the latest statistics event,
 * and an emitter that says when something new arrived. In-process only and never trusted with a
 * committed fact (STYLE §6): it is a window for people, not a queue — the outbox and the sinks
 * are what deliver.
 *
 * Statistics (`banco/estadisticas`, retained and republished periodically) are kept apart as
 * "the latest", so they never push movements out of the ring.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { kindOfTopic, type EventKind } from '../../core/outbox/event-catalog';
import { LruSet } from './lru-set';
import type { BancoEvent } from './parse-event';

export const FEED_BOUNDS = {
  /** Events the ring keeps; older ones fall out. */
  events_max: 200,
  /** An event bigger than this (as JSON) is kept as a summary of its known fields. */
  event_bytes_max: 2_048,
  /** Longest string kept in a summarised event. */
  summary_chars_max: 120,
  /** Event ids remembered so an event several banco-events nodes pass on is shown once. */
  seen_ids_max: 1_000,
  /** Topics whose kind is remembered (balance topics carry a cédula each); the memo is emptied when full. */
  kind_memo_topics_max: 1_000,
} as const;

export interface FeedEntry {
  /** Increases by one per entry in this process; lets a reader skip what it already has. */
  seq: number;
  /** When banco-events passed it on (ms since epoch). */
  at: number;
  topic: string;
  /** The catalog kind (CONTRACT §5), or `other` for a custom topic. */
  kind: EventKind | 'other';
  eventId: string | undefined;
  /** Every cédula the event is about (one, or origin and destination of a transfer). */
  cedulas: string[];
  event: BancoEvent;
  /** The node that passed it on. */
  nodeId: string;
}

export interface FeedInput {
  nodeId: string;
  topic: string;
  /** The broker's topic prefix, so the kind can be read from the topic. */
  prefix: string;
  event: BancoEvent;
  eventId: string | undefined;
  /** The payload's size, when the caller has it (saves serialising the event again). */
  bytes?: number;
}

const CEDULA_FIELDS = ['cedula', 'cedula_origen', 'cedula_destino'] as const;
const SUMMARY_FIELDS = ['id', 'timestamp', 'tipo', 'type', 'monto', 'saldo_nuevo', ...CEDULA_FIELDS] as const;

export function kindOf(topic: string, prefix: string): EventKind | 'other' {
  if (!topic.startsWith(`${prefix}/`)) return 'other';
  return kindOfTopic(topic.slice(prefix.length + 1)) ?? 'other';
}

// Reading the kind splits the topic and tries every catalog pattern; a feed sees few topics.
const kindMemo = new Map<string, EventKind | 'other'>();
function memoKindOf(topic: string, prefix: string): EventKind | 'other' {
  const key = `${prefix}\u0000${topic}`;
  let kind = kindMemo.get(key);
  if (kind === undefined) {
    if (kindMemo.size >= FEED_BOUNDS.kind_memo_topics_max) kindMemo.clear();
    kind = kindOf(topic, prefix);
    kindMemo.set(key, kind);
  }
  return kind;
}

function cedulasOf(event: BancoEvent): string[] {
  return CEDULA_FIELDS.map((f) => event[f]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The event as kept: itself when small, else its known fields (clipped) and its size. */
function bounded(event: BancoEvent, bytes: number | undefined): BancoEvent {
  const size = bytes ?? Buffer.byteLength(JSON.stringify(event));
  if (size <= FEED_BOUNDS.event_bytes_max) return event;
  const summary: Record<string, unknown> = { _truncated: true, _bytes: size };
  for (const f of SUMMARY_FIELDS) {
    const v = event[f];
    if (typeof v === 'number' || typeof v === 'boolean') summary[f] = v;
    else if (typeof v === 'string') summary[f] = v.slice(0, FEED_BOUNDS.summary_chars_max);
  }
  return summary;
}

export class EventFeed extends EventEmitter<{ event: [FeedEntry]; stats: [FeedEntry] }> {
  /** Names this feed's seq numbering: a reader that sees a new boot starts over (Node-RED restarted). */
  readonly boot = randomBytes(6).toString('hex');
  private readonly ring: FeedEntry[] = [];
  private nextSeq = 1;
  private stats: FeedEntry | undefined;
  private passed = new Map<string, number>();
  private readonly seen = new LruSet(FEED_BOUNDS.seen_ids_max);

  constructor(private readonly max: number = FEED_BOUNDS.events_max) {
    super();
  }

  /** Adds an event once: the same event id from another banco-events node (e.g. the audit and
   *  the Azure tabs both subscribe to movements) is not shown or counted again. */
  push(input: FeedInput): void {
    if (input.eventId !== undefined && !this.seen.add(input.eventId)) return;
    const kind = memoKindOf(input.topic, input.prefix);
    const entry: FeedEntry = { seq: this.nextSeq++, at: Date.now(), topic: input.topic, kind, eventId: input.eventId, cedulas: cedulasOf(input.event), event: bounded(input.event, input.bytes), nodeId: input.nodeId };
    this.passed.set(kind, (this.passed.get(kind) ?? 0) + 1);
    if (kind === 'stats') {
      this.stats = entry;
      this.emit('stats', entry);
      return;
    }
    this.ring.push(entry);
    if (this.ring.length > this.max) this.ring.shift();
    this.emit('event', entry);
  }

  /** The kept events, oldest first, newer than `afterSeq`. */
  events(afterSeq = 0): FeedEntry[] {
    return this.ring.filter((e) => e.seq > afterSeq);
  }

  latestStats(): FeedEntry | undefined {
    return this.stats;
  }

  /** Events that reached the flows since the process started, each once, by kind (a counter for metrics). */
  passedByKind(): ReadonlyMap<string, number> {
    return this.passed;
  }
}

/** The one feed of this process: banco-events writes it, the Banco plugin reads it. */
export const eventFeed = new EventFeed();
