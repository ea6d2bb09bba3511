/**
 * Appends events to the audit log, one hash-chained record per event id.
 *
 * - Idempotent: an event id already in the log (or queued) is not written again; the bound is
 *   `dedupeIds` most recent ids, rebuilt from the files on start (see recover-log.ts).
 * - Durable before acknowledged: `append()` resolves only after the record's bytes are fsynced —
 *   per record (`record`), or per group of records queued while the previous write ran (`batch`,
 *   up to AUDIT_LIMITS.batch_records_max per write + fsync).
 * - Bounded: at most `queueMax` records wait; the next append is refused.
 * - Rotation: a record that would push the file past `maxBytes` goes to a fresh file after the
 *   full one is renamed `<stem>.<n>.jsonl`; its prev is the last hash of the renamed file.
 * - A failed write leaves the writer broken (refusing appends); a restart repairs a torn tail.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { rotatedPath } from './audit-files';
import { lockAuditLog, type AuditLock } from './audit-lock';
import { AUDIT_LIMITS } from './limits';
import { LruSet } from '../shared/lru-set';
import { nextRecord, recordLine, type AuditRecord, type ChainCursor } from './record';
import { recoverLog } from './recover-log';
import type { BadRecord } from './scan-chain';

export type Durability = 'record' | 'batch';

export interface AuditWriterOptions {
  file: string;
  durability: Durability;
  maxBytes: number;
  queueMax: number;
  dedupeIds: number;
  clock?: () => Date;
}

export interface AuditInput {
  eventId: string;
  topic: string;
  event: Record<string, unknown>;
}

export type AppendResult = { written: true; record: AuditRecord } | { written: false; duplicate: true };

export class AuditError extends Error {
  constructor(readonly code: 'log_broken' | 'queue_full' | 'record_too_large' | 'closed' | 'write_failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
  }
}

interface Pending {
  input: AuditInput;
  receivedAt: string;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

export class AuditWriter {
  private readonly pending: Pending[] = [];
  private readonly inFlight = new Map<string, Promise<AppendResult>>();
  private draining: Promise<void> | undefined;
  private closed = false;
  private failure: AuditError | undefined;
  private handle: fs.FileHandle | undefined;
  private lock: AuditLock | undefined;

  private constructor(
    private readonly opts: AuditWriterOptions,
    private cursor: ChainCursor,
    private size: number,
    private nextIndex: number,
    private readonly seen: LruSet,
    readonly warnings: readonly string[],
    readonly broken: BadRecord | undefined,
  ) {
    if (broken) this.failure = new AuditError('log_broken', `audit log is broken at ${path.basename(broken.file)} line ${broken.line} (${broken.reason}: ${broken.detail}); refusing to append`);
  }

  /** Takes the log's writer lock (audit-lock.ts), then recovers the chain. */
  static async open(opts: AuditWriterOptions): Promise<AuditWriter> {
    await fs.mkdir(path.dirname(opts.file), { recursive: true });
    const lock = await lockAuditLog(opts.file);
    try {
      const log = await recoverLog(opts.file, opts.dedupeIds);
      const seen = new LruSet(opts.dedupeIds);
      seen.load(log.seenIds);
      const writer = new AuditWriter(opts, log.cursor, log.size, log.set.nextIndex, seen, log.warnings, log.broken);
      writer.lock = lock;
      return writer;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  get lastSeq(): number {
    return this.cursor.seq;
  }

  get queued(): number {
    return this.pending.length;
  }

  append(input: AuditInput): Promise<AppendResult> {
    const refused = this.refusal(input);
    if (refused) return Promise.reject(refused);
    const earlier = this.inFlight.get(input.eventId);
    if (earlier) return earlier.then(() => ({ written: false, duplicate: true }));
    if (this.seen.has(input.eventId)) return Promise.resolve({ written: false, duplicate: true });
    const receivedAt = (this.opts.clock?.() ?? new Date()).toISOString();
    const result = new Promise<AppendResult>((resolve, reject) => this.pending.push({ input, receivedAt, resolve, reject }));
    this.inFlight.set(input.eventId, result);
    const forget = () => this.inFlight.delete(input.eventId);
    result.then(forget, forget);
    this.draining ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
    return result;
  }

  /** Waits for queued records to be written, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.handle?.close();
    this.handle = undefined;
    await this.lock?.release();
    this.lock = undefined;
  }

  private refusal(input: AuditInput): AuditError | undefined {
    if (this.failure) return this.failure;
    if (this.closed) return new AuditError('closed', 'audit log is closing');
    if (this.pending.length >= this.opts.queueMax) return new AuditError('queue_full', `audit queue is full (${this.opts.queueMax} records waiting)`);
    const bytes = Buffer.byteLength(JSON.stringify(input));
    if (bytes > AUDIT_LIMITS.record_bytes_max - 512) return new AuditError('record_too_large', `event ${input.eventId} is ${bytes} bytes, over the ${AUDIT_LIMITS.record_bytes_max}-byte record limit`);
    return undefined;
  }

  private async drain(): Promise<void> {
    const groupMax = this.opts.durability === 'record' ? 1 : AUDIT_LIMITS.batch_records_max;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, groupMax);
      if (this.failure) {
        for (const p of group) p.reject(this.failure);
        continue;
      }
      await this.writeGroup(group);
    }
    this.draining = undefined;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    const records = group.map((p) => this.chain(p));
    try {
      await this.writeRecords(records);
    } catch (err) {
      this.failure = new AuditError('write_failed', `audit write failed: ${(err as Error).message}; refusing further appends until restart`, { cause: err });
      for (const p of group) p.reject(this.failure);
      return;
    }
    group.forEach((p, i) => {
      this.seen.add(p.input.eventId);
      p.resolve({ written: true, record: records[i] });
    });
  }

  private chain(p: Pending): AuditRecord {
    const record = nextRecord(this.cursor, { eventId: p.input.eventId, topic: p.input.topic, receivedAt: p.receivedAt, event: p.input.event });
    this.cursor = { seq: record.seq, hash: record.hash };
    return record;
  }

  /** Writes lines in runs that fit the current file, rotating between runs; fsync after each run. */
  private async writeRecords(records: AuditRecord[]): Promise<void> {
    let run: Buffer[] = [];
    let runBytes = 0;
    for (const record of records) {
      const line = Buffer.from(recordLine(record));
      if (this.size + runBytes + line.length > this.opts.maxBytes && this.size + runBytes > 0) {
        await this.writeRun(run, runBytes);
        await this.rotate();
        run = [];
        runBytes = 0;
      }
      run.push(line);
      runBytes += line.length;
    }
    await this.writeRun(run, runBytes);
  }

  private async writeRun(run: Buffer[], runBytes: number): Promise<void> {
    if (runBytes === 0) return;
    const handle = await this.openCurrent();
    const data = Buffer.concat(run, runBytes);
    for (let written = 0; written < data.length;) {
      const { bytesWritten } = await handle.write(data, written, data.length - written);
      written += bytesWritten;
    }
    await handle.datasync();
    this.size += runBytes;
  }

  private async openCurrent(): Promise<fs.FileHandle> {
    if (this.handle) return this.handle;
    this.handle = await fs.open(this.opts.file, 'a');
    await syncDir(path.dirname(this.opts.file));
    return this.handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await fs.rename(this.opts.file, rotatedPath(this.opts.file, this.nextIndex));
    this.nextIndex += 1;
    this.size = 0;
    await syncDir(path.dirname(this.opts.file));
  }
}

/** Makes a create or rename in `dir` durable (POSIX: fsync the directory). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
