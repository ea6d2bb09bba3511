/**
 * Parses one MQTT payload into a banking event (CONTRACT §5: a JSON object carrying `id` and
 * `timestamp`). External input is validated once here; callers get a typed result, never a throw.
 */
import { NODE_BOUNDS } from './bounds';

export interface BancoEvent {
  id?: string;
  timestamp?: string;
  [field: string]: unknown;
}

export type ParseResult =
  | { ok: true; event: BancoEvent; eventId: string | undefined }
  | { ok: false; code: 'payload_too_large' | 'payload_not_json' | 'payload_not_object'; message: string };

export function parseEvent(payload: Buffer | string, maxBytes: number = NODE_BOUNDS.event_payload_bytes_max): ParseResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > maxBytes) return { ok: false, code: 'payload_too_large', message: `payload is ${size} bytes, more than the ${maxBytes} allowed` };
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'payload_not_json', message: `payload is not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'payload_not_object', message: 'payload is JSON but not an object' };
  }
  return { ok: true, event: value as BancoEvent, eventId: eventIdOf(value as BancoEvent) };
}

/** The event id as a string; numbers are accepted and stringified, anything else is no id. */
export function eventIdOf(event: BancoEvent): string | undefined {
  const id: unknown = event.id;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}
