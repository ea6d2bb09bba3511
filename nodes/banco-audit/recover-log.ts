/**
 * Start-up check of an audit log before the node appends to it. The current file is verified
 * from its first line, linked to the last record of the newest rotated file. A torn last line
 * (the process died mid-write) is repaired and reported: completed when the bytes already hold a
 * whole valid record missing only its newline, truncated away otherwise. Any other bad line makes
 * the log `broken`: the node refuses to append rather than build on a broken chain.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { findAuditSet, type AuditSet } from './audit-files';
import { AUDIT_LIMITS } from './limits';
import { readLines } from './read-lines';
import { GENESIS_CURSOR, hashMatches, parseRecord, type ChainCursor } from './record';
import { scanChain, type BadRecord } from './scan-chain';

export interface RecoveredLog {
  set: AuditSet;
  cursor: ChainCursor;
  /** Bytes in the current file after any repair. */
  size: number;
  /** Event ids of the newest records, oldest first, at most the dedupe capacity. */
  seenIds: string[];
  warnings: string[];
  broken?: BadRecord;
}

async function fileSize(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.size, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return 0;
    throw err;
  });
}

/** The last record of a rotated (closed, fsynced) file, read from its tail only. */
async function lastRecordOf(file: string): Promise<ChainCursor | BadRecord> {
  const size = await fileSize(file);
  const length = Math.min(size, AUDIT_LIMITS.record_bytes_max + 1);
  const handle = await fs.open(file, 'r');
  const tail = Buffer.alloc(length);
  try {
    await handle.read(tail, 0, length, size - length);
  } finally {
    await handle.close();
  }
  const text = tail.toString('utf8');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : [];
  const record = parseRecord(lines.at(-1) ?? '');
  if (record && hashMatches(record)) return { seq: record.seq, hash: record.hash };
  return { file, line: 0, offset: size, expectedSeq: 0, reason: 'malformed', detail: `the last line of the rotated file ${path.basename(file)} is not a valid record` };
}

async function idsOf(file: string, into: string[]): Promise<void> {
  for await (const line of readLines(file, AUDIT_LIMITS.record_bytes_max)) {
    const record = parseRecord(line.text);
    if (record) into.push(record.eventId);
  }
}

async function repairTornTail(bad: BadRecord, cursor: ChainCursor): Promise<{ cursor: ChainCursor; warning: string; eventId?: string }> {
  const handle = await fs.open(bad.file, 'r+');
  try {
    const size = (await handle.stat()).size;
    const tail = Buffer.alloc(size - bad.offset);
    await handle.read(tail, 0, tail.length, bad.offset);
    const record = parseRecord(tail.toString('utf8'));
    const whole = record && hashMatches(record) && record.seq === cursor.seq + 1 && record.prev === cursor.hash;
    if (whole) await handle.write('\n', size);
    else await handle.truncate(bad.offset);
    await handle.sync();
    const where = `${path.basename(bad.file)} line ${bad.line}`;
    if (whole) return { cursor: { seq: record.seq, hash: record.hash }, eventId: record.eventId, warning: `audit log ${where}: torn last line held a whole record; completed its newline` };
    return { cursor, warning: `audit log ${where}: torn last line (${tail.length} bytes, not a whole record) truncated away` };
  } finally {
    await handle.close();
  }
}

export async function recoverLog(current: string, dedupeIds: number): Promise<RecoveredLog> {
  await fs.mkdir(path.dirname(current), { recursive: true });
  const set = await findAuditSet(current);
  const warnings: string[] = [];
  const previous = set.rotated.at(-1);
  const start = previous ? await lastRecordOf(previous) : GENESIS_CURSOR;
  if ('reason' in start) return { set, cursor: GENESIS_CURSOR, size: 0, seenIds: [], warnings, broken: start };
  const ids: string[] = [];
  const scan = (await fileSize(current)) > 0 ? await scanChain([current], start, (r) => ids.push(r.eventId)) : { records: 0, cursor: start };
  let cursor = scan.cursor;
  if (scan.firstBad && scan.firstBad.reason !== 'torn') return { set, cursor, size: 0, seenIds: [], warnings, broken: scan.firstBad };
  if (scan.firstBad) {
    const repaired = await repairTornTail(scan.firstBad, cursor);
    cursor = repaired.cursor;
    if (repaired.eventId !== undefined) ids.push(repaired.eventId);
    warnings.push(repaired.warning);
  }
  const seenIds = ids.length < dedupeIds && previous ? await withPreviousIds(previous, ids) : ids;
  return { set, cursor, size: await fileSize(current), seenIds: seenIds.slice(-dedupeIds), warnings };
}

async function withPreviousIds(previous: string, currentIds: string[]): Promise<string[]> {
  const older: string[] = [];
  await idsOf(previous, older);
  return [...older, ...currentIds];
}
