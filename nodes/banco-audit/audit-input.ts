/**
 * What banco-audit takes from a message: the event (msg.payload, an object or its JSON text),
 * its id (msg.eventId, else payload.id) and msg.topic. Anything else is a typed refusal.
 */
import type { NodeMessage } from '../shared/node-red';
import { eventIdOf, parseEvent } from '../shared/parse-event';
import type { AuditInput } from './audit-writer';

export type InputResult = { ok: true; input: AuditInput } | { ok: false; message: string };

function eventOf(payload: unknown): Record<string, unknown> | string {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    const parsed = parseEvent(payload);
    return parsed.ok ? parsed.event : parsed.message;
  }
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return payload as Record<string, unknown>;
  return 'msg.payload is not an event object';
}

export function auditInputOf(msg: NodeMessage): InputResult {
  const event = eventOf(msg.payload);
  if (typeof event === 'string') return { ok: false, message: event };
  const fromMsg = typeof msg.eventId === 'string' || typeof msg.eventId === 'number' ? String(msg.eventId) : undefined;
  const eventId = fromMsg ?? eventIdOf(event);
  if (eventId === undefined || eventId === '') return { ok: false, message: 'the event has no id (msg.eventId or msg.payload.id)' };
  // A JSON round trip drops what JSON cannot hold (functions, undefined), so the record on
  // disk hashes to the same value the verifier will compute.
  return { ok: true, input: { eventId, topic: typeof msg.topic === 'string' ? msg.topic : '', event: JSON.parse(JSON.stringify(event)) as Record<string, unknown> } };
}
