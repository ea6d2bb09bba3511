/**
 * One Node-RED message → one Kafka record, validated once (STYLE §10). The record:
 * - key: the account's cédula (`cedula`, or `cedula_origen` for a transfer event), so one
 *   account's events go to one partition and stay in order;
 * - value: the event's JSON with `schema_version` added (KAFKA_SCHEMA_VERSION, docs/kafka.md);
 * - headers: `event-id`, `event-type`, `schema-version`, `content-type`.
 * Anything that cannot become such a record is a bad_input SinkError, never queued.
 */
import type { KafkaRecord } from '../banco-kafka/client';
import { KAFKA_LIMITS } from '../banco-kafka/limits';
import type { NodeMessage } from '../shared/node-red';
import { eventIdOf, parseEvent, type BancoEvent } from '../shared/parse-event';
import { SinkError } from '../shared/sink/sink-error';

/** Version of the record layout above; raised when a consumer would have to change. */
export const KAFKA_SCHEMA_VERSION = 1;
export const DEFAULT_KAFKA_TOPIC = 'banco.transacciones';

export interface RecordOptions {
  /** 'fixed': always `topic`; 'msg': msg.topic mapped (`banco/retiros` → `banco.retiros`), else `topic`. */
  topicFrom: 'fixed' | 'msg';
  topic: string;
  valueBytesMax: number;
}

export type Prepared = { ok: true; eventId: string; record: KafkaRecord } | { ok: false; error: SinkError };

const TOPIC_NAME = /^[A-Za-z0-9._-]+$/;

function bad(message: string): Prepared {
  return { ok: false, error: new SinkError('bad_input', message) };
}

export function isValidTopicName(topic: string): boolean {
  return topic.length <= KAFKA_LIMITS.topic_chars_max && TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..';
}

/** MQTT topic → Kafka topic: levels joined with dots. */
export function kafkaTopicFor(mqttTopic: string): string {
  return mqttTopic.split('/').filter((level) => level !== '').join('.');
}

function eventOf(payload: unknown): BancoEvent | string {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    const parsed = parseEvent(payload, Number.MAX_SAFE_INTEGER);
    return parsed.ok ? parsed.event : parsed.message;
  }
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return payload as BancoEvent;
  return 'payload is not an event object';
}

function cedulaOf(event: BancoEvent): string | undefined {
  for (const field of ['cedula', 'cedula_origen']) {
    const value = event[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function eventTypeOf(event: BancoEvent, msgTopic: string | undefined): string {
  for (const field of ['tipo', 'type']) {
    const value = event[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return msgTopic ? (msgTopic.split('/').filter(Boolean)[1] ?? msgTopic) : 'unknown';
}

function topicOf(msg: NodeMessage, opts: RecordOptions): string {
  if (opts.topicFrom === 'msg' && typeof msg.topic === 'string' && msg.topic !== '') return kafkaTopicFor(msg.topic);
  return opts.topic;
}

export function prepareRecord(msg: NodeMessage, opts: RecordOptions): Prepared {
  const event = eventOf(msg.payload);
  if (typeof event === 'string') return bad(event);
  const eventId = typeof msg.eventId === 'string' && msg.eventId !== '' ? msg.eventId : eventIdOf(event);
  if (!eventId) return bad('the event has no id (msg.eventId or payload.id), needed for the event-id header and dedupe');
  const cedula = cedulaOf(event);
  if (!cedula) return bad(`event ${eventId} has no cedula (nor cedula_origen), needed as the Kafka key`);
  const topic = topicOf(msg, opts);
  if (!isValidTopicName(topic)) return bad(`"${topic}" is not a valid Kafka topic name (letters, digits, . _ -; at most ${KAFKA_LIMITS.topic_chars_max})`);
  const value = Buffer.from(JSON.stringify({ ...event, schema_version: KAFKA_SCHEMA_VERSION }));
  if (value.length > opts.valueBytesMax) return bad(`event ${eventId} is ${value.length} bytes, more than the ${opts.valueBytesMax} this node sends`);
  const headers = { 'event-id': eventId, 'event-type': eventTypeOf(event, typeof msg.topic === 'string' ? msg.topic : undefined), 'schema-version': String(KAFKA_SCHEMA_VERSION), 'content-type': 'application/json' };
  return { ok: true, eventId, record: { topic, key: cedula, value, headers } };
}
