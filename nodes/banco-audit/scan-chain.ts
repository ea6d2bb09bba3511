/**
 * Walks audit files in order and checks every line against the chain: well-formed, own hash
 * matches its content, seq is the next one, prev is the previous hash. Stops at the first bad
 * line and names the rule it broke. Shared by the verifier and by the node's start-up check.
 */
import { AUDIT_LIMITS } from './limits';
import { readLines, type FileLine } from './read-lines';
import { hashMatches, parseRecord, type AuditRecord, type ChainCursor } from './record';

export type BadReason = 'edited' | 'missing' | 'reordered' | 'broken-chain' | 'malformed' | 'torn';

export interface BadRecord {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** Byte offset of the bad line in `file` (start-up repair truncates here). */
  offset: number;
  /** The seq stored on the bad line, when it could be read. */
  seq?: number;
  /** The seq the chain expected at this line. */
  expectedSeq: number;
  reason: BadReason;
  detail: string;
}

export interface ScanResult {
  records: number;
  /** The last good record. */
  cursor: ChainCursor;
  firstBad?: BadRecord;
}

export type OnRecord = (record: AuditRecord, file: string) => void;

interface Position {
  file: string;
  line: FileLine;
}

export async function scanChain(files: readonly string[], start: ChainCursor, onRecord?: OnRecord): Promise<ScanResult> {
  let cursor = start;
  let records = 0;
  for (let f = 0; f < files.length; f++) {
    const lines = readLines(files[f], AUDIT_LIMITS.record_bytes_max);
    for await (const line of lines) {
      const pos = { file: files[f], line };
      const record = parseRecord(line.text);
      const bad = await checkLine(pos, record, cursor, () => seqAppearsLater(cursor.seq + 1, lines, files.slice(f + 1)));
      if (bad) return { records, cursor, firstBad: bad };
      const good = record as AuditRecord;
      cursor = { seq: good.seq, hash: good.hash };
      records += 1;
      onRecord?.(good, files[f]);
    }
  }
  return { records, cursor };
}

async function checkLine(pos: Position, record: AuditRecord | undefined, cursor: ChainCursor, later: () => Promise<boolean>): Promise<BadRecord | undefined> {
  const expectedSeq = cursor.seq + 1;
  const bad = (reason: BadReason, detail: string): BadRecord => ({
    file: pos.file, line: pos.line.line, offset: pos.line.offset, seq: record?.seq, expectedSeq, reason, detail,
  });
  if (!pos.line.terminated) return bad('torn', 'the last line has no newline: a write was cut short');
  if (pos.line.tooLong || !record) return bad('malformed', 'the line is not a well-formed audit record');
  if (!hashMatches(record)) return bad('edited', 'the record does not match its own hash');
  if (record.seq < expectedSeq) return bad('reordered', `seq ${record.seq} comes after seq ${cursor.seq}`);
  if (record.seq > expectedSeq) {
    if (await later()) return bad('reordered', `seq ${record.seq} comes before seq ${expectedSeq}`);
    return bad('missing', `seq ${expectedSeq} is missing (found ${record.seq})`);
  }
  if (record.prev !== cursor.hash) return bad('broken-chain', `prev does not match the hash of seq ${cursor.seq}`);
  return undefined;
}

/** After a gap: does the expected seq turn up further on? Then lines were moved, not lost. */
async function seqAppearsLater(seq: number, rest: AsyncGenerator<FileLine>, laterFiles: readonly string[]): Promise<boolean> {
  for await (const line of rest) if (parseRecord(line.text)?.seq === seq) return true;
  for (const file of laterFiles) {
    for await (const line of readLines(file, AUDIT_LIMITS.record_bytes_max)) if (parseRecord(line.text)?.seq === seq) return true;
  }
  return false;
}
