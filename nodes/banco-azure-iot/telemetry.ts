/**
 * Turns one Node-RED message into one telemetry item: the body with its content type and encoding
 * (`$.ct`/`$.ce`, so IoT Hub message routing can read JSON bodies), the message id (`$.mid`, the
 * event id, for dedupe downstream) and the application properties (event type, cédula, and any
 * `msg.properties`). Refused here, before queueing: no payload, bad properties, over 256 KB.
 */
import { AZURE_LIMITS } from '../banco-azure-device/limits';
import { SYSTEM_PROPERTIES, encodePropertyBag, type PropertyBag } from '../banco-azure-device/dialect';
import { SinkError } from '../shared/sink/sink-error';
import type { NodeMessage } from '../shared/node-red';

export type BodyKind = 'json' | 'text' | 'binary';

export interface TelemetryItem {
  eventId: string | undefined;
  body: Buffer;
  kind: BodyKind;
  /** System properties first ($.mid, $.ct, $.ce), then the application properties. */
  properties: PropertyBag;
}

/** Room a property bag may take beside the body; its bytes count towards the hub's 256 KB too. */
const PROPERTY_VALUE_CHARS_MAX = 1_024;

type Prepared = { ok: true; item: TelemetryItem } | { ok: false; error: SinkError };

const bad = (message: string): Prepared => ({ ok: false, error: new SinkError('bad_input', message) });

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function bodyOf(payload: unknown): { body: Buffer; kind: BodyKind } | string {
  if (payload === undefined || payload === null) return 'msg.payload is empty: nothing to send';
  if (Buffer.isBuffer(payload)) return { body: payload, kind: 'binary' };
  if (typeof payload === 'string') return { body: Buffer.from(payload, 'utf8'), kind: 'text' };
  try {
    return { body: Buffer.from(JSON.stringify(payload), 'utf8'), kind: 'json' };
  } catch (err) {
    return `msg.payload cannot be turned into JSON: ${(err as Error).message}`;
  }
}

/** The event's own properties: its type (`tipo`, or `type` for alerts) and its cédula. */
function eventProperties(event: Record<string, unknown> | undefined): Array<[string, string]> {
  if (!event) return [];
  const props: Array<[string, string]> = [];
  const type = text(event.tipo) ?? text(event.type) ?? (event.cedula_origen !== undefined ? 'TRANSFERENCIA' : undefined);
  const cedula = text(event.cedula) ?? text(event.cedula_origen);
  if (type) props.push(['eventType', type]);
  if (cedula) props.push(['cedula', cedula]);
  return props;
}

function userProperties(value: unknown): Array<[string, string]> | string {
  if (value === undefined) return [];
  const props = record(value);
  if (!props) return 'msg.properties must be an object of name: value';
  const out: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(props)) {
    if (name.startsWith('$') || name.startsWith('iothub-')) return `msg.properties.${name}: names starting with $ or iothub- are reserved by IoT Hub`;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `msg.properties.${name} must be a string, number or boolean`;
    const s = String(v);
    if (s.length > PROPERTY_VALUE_CHARS_MAX) return `msg.properties.${name} is over ${PROPERTY_VALUE_CHARS_MAX} characters`;
    out.push([name, s]);
  }
  return out;
}

const CONTENT_TYPES: Record<BodyKind, string> = { json: 'application/json', text: 'text/plain', binary: 'application/octet-stream' };

export function telemetryOf(msg: NodeMessage): Prepared {
  const body = bodyOf(msg.payload);
  if (typeof body === 'string') return bad(body);
  const event = record(msg.payload);
  const eventId = text(msg.eventId) ?? text(event?.id);
  const user = userProperties(msg.properties);
  if (typeof user === 'string') return bad(user);
  const contentType = text(msg.contentType) ?? CONTENT_TYPES[body.kind];
  const system: Array<[string, string]> = [];
  if (eventId) system.push([SYSTEM_PROPERTIES.messageId, eventId]);
  system.push([SYSTEM_PROPERTIES.contentType, contentType]);
  if (body.kind !== 'binary') system.push([SYSTEM_PROPERTIES.contentEncoding, 'utf-8']);
  const named = new Set(user.map(([n]) => n));
  const properties = [...system, ...eventProperties(event).filter(([n]) => !named.has(n)), ...user];
  const item: TelemetryItem = { eventId, body: body.body, kind: body.kind, properties };
  const size = messageBytes(item.body, properties);
  if (size > AZURE_LIMITS.message_bytes_max) {
    return { ok: false, error: new SinkError('permanent', `message is ${size} bytes with its properties; IoT Hub accepts at most ${AZURE_LIMITS.message_bytes_max} (256 KB): not sent`) };
  }
  return { ok: true, item };
}

/** What counts towards the hub's 256 KB: the body plus the properties as they travel in the topic. */
export function messageBytes(body: Buffer, properties: PropertyBag): number {
  return body.length + Buffer.byteLength(encodePropertyBag(properties));
}
