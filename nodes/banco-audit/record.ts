/**
 * Audit records and their hash chain. hash = SHA-256 (hex) of the canonical serialisation of the
 * record without `hash` (keys sorted at every depth, no whitespace); prev = previous hash, the
 * first record of the chain has prev = 64 zeros. A line on disk is the record as JSON + "\n".
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  seq: number;
  eventId: string;
  topic: string;
  receivedAt: string;
  event: Record<string, unknown>;
  prev: string;
  hash: string;
}

export type RecordBody = Omit<AuditRecord, 'hash'>;

/** Where the chain stands: the last record's seq and hash (seq 0 + genesis before the first). */
export interface ChainCursor {
  seq: number;
  hash: string;
}

export const GENESIS_CURSOR: ChainCursor = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function hashBody(body: RecordBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Does the record match its own hash? (Recomputed over everything but `hash`.) */
export function hashMatches(record: AuditRecord): boolean {
  const { hash, ...body } = record;
  return hashBody(body) === hash;
}

export function nextRecord(cursor: ChainCursor, input: Omit<RecordBody, 'seq' | 'prev'>): AuditRecord {
  const body: RecordBody = { seq: cursor.seq + 1, eventId: input.eventId, topic: input.topic, receivedAt: input.receivedAt, event: input.event, prev: cursor.hash };
  return { ...body, hash: hashBody(body) };
}

export function recordLine(record: AuditRecord): string {
  const { seq, eventId, topic, receivedAt, event, prev, hash } = record;
  return `${JSON.stringify({ seq, eventId, topic, receivedAt, event, prev, hash })}\n`;
}

const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = ['seq', 'eventId', 'topic', 'receivedAt', 'event', 'prev', 'hash'];

/** Parses one line (without its "\n") into a well-formed record, or undefined. */
export function parseRecord(text: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length !== FIELDS.length || !FIELDS.every((f) => keys.includes(f))) return undefined;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return undefined;
  if (typeof r.eventId !== 'string' || typeof r.topic !== 'string' || typeof r.receivedAt !== 'string') return undefined;
  if (typeof r.event !== 'object' || r.event === null || Array.isArray(r.event)) return undefined;
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev) || typeof r.hash !== 'string' || !HEX64.test(r.hash)) return undefined;
  return r as unknown as AuditRecord;
}
