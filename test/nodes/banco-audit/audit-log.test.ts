import fs from 'node:fs';
import path from 'node:path';
import { AuditWriter } from '../../../nodes/banco-audit/audit-writer';
import { GENESIS_HASH, hashBody, parseRecord } from '../../../nodes/banco-audit/record';
import { verifyAuditLog } from '../../../nodes/banco-audit/verify';
import { readLines, sampleEvent, tempDir, writeEvents, writeLines, writerOptions } from '../helpers/audit-fixtures';

describe('audit log writer', () => {
  test('10k events are written as 10k chained records that verify', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 10_000);
    const report = await verifyAuditLog([file]);
    expect(report).toMatchObject({ ok: true, records: 10_000, files: [file] });
    const lines = readLines(file);
    expect(parseRecord(lines[0])).toMatchObject({ seq: 1, prev: GENESIS_HASH, eventId: 'evt-000000' });
    expect(parseRecord(lines[9_999])).toMatchObject({ seq: 10_000, eventId: 'evt-009999' });
  });

  test('each record hashes its canonical content without the hash, and links to the previous hash', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 3);
    const [a, b] = readLines(file).map((l) => parseRecord(l)!);
    const { hash, ...body } = b;
    expect(hash).toBe(hashBody(body));
    expect(b.prev).toBe(a.hash);
    expect(Object.keys(JSON.parse(readLines(file)[0]))).toEqual(['seq', 'eventId', 'topic', 'receivedAt', 'event', 'prev', 'hash']);
  });

  test('an event id already written is not written again, also after a restart', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const first = await AuditWriter.open(writerOptions(file));
    const results = await Promise.all([first.append(sampleEvent(1)), first.append(sampleEvent(1)), first.append(sampleEvent(2))]);
    expect(results.map((r) => r.written)).toEqual([true, false, true]);
    expect(await first.append(sampleEvent(2))).toEqual({ written: false, duplicate: true });
    await first.close();
    const second = await AuditWriter.open(writerOptions(file));
    expect(await second.append(sampleEvent(1))).toEqual({ written: false, duplicate: true });
    const third = await second.append(sampleEvent(3));
    expect(third).toMatchObject({ written: true, record: { seq: 3 } });
    await second.close();
    expect(readLines(file)).toHaveLength(3);
    expect((await verifyAuditLog([file])).ok).toBe(true);
  });

  test('a full queue refuses the next event instead of growing', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const writer = await AuditWriter.open(writerOptions(file, { queueMax: 5 }));
    const accepted = [1, 2, 3, 4, 5].map((i) => writer.append(sampleEvent(i)));
    await expect(writer.append(sampleEvent(6))).rejects.toMatchObject({ code: 'queue_full' });
    await Promise.all(accepted);
    await writer.close();
    expect(readLines(file)).toHaveLength(5);
  });

  test('per-record durability writes every record with its own fsync and the chain verifies', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 200, { durability: 'record' });
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 200 });
  });
});

describe('audit log rotation', () => {
  test('rotation by size keeps one chain across files, oldest file first', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    await writeEvents(file, 0, 300, { maxBytes: 8 * 1024 });
    await writeEvents(file, 300, 400, { maxBytes: 8 * 1024 });
    const report = await verifyAuditLog([dir]);
    expect(report.ok).toBe(true);
    expect(report.records).toBe(400);
    expect(report.files.length).toBeGreaterThan(3);
    expect(report.files.at(-1)).toBe(file);
    expect(path.basename(report.files[0])).toBe('audit.1.jsonl');
    for (const f of report.files) expect(fs.statSync(f).size).toBeLessThanOrEqual(8 * 1024);
    const lastOfFirst = parseRecord(readLines(report.files[0]).at(-1)!)!;
    const firstOfSecond = parseRecord(readLines(report.files[1])[0])!;
    expect(firstOfSecond.prev).toBe(lastOfFirst.hash);
    expect(firstOfSecond.seq).toBe(lastOfFirst.seq + 1);
  });

  test('ids in the most recently rotated file still count as seen after a restart', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    await writeEvents(file, 0, 60, { maxBytes: 8 * 1024 });
    const writer = await AuditWriter.open(writerOptions(file, { maxBytes: 8 * 1024 }));
    const rotated = (await verifyAuditLog([dir])).files.slice(0, -1);
    expect(rotated.length).toBeGreaterThanOrEqual(2);
    const newestRotated = readLines(rotated.at(-1)!).map((l) => Number(parseRecord(l)!.eventId.slice(4)));
    const results = await Promise.all(newestRotated.map((i) => writer.append(sampleEvent(i))));
    await writer.close();
    expect(results.every((r) => !r.written)).toBe(true);
  });

  test('a deleted rotated file is reported as missing records', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    await writeEvents(file, 0, 300, { maxBytes: 8 * 1024 });
    fs.unlinkSync(path.join(dir, 'audit.2.jsonl'));
    const report = await verifyAuditLog([dir]);
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ file: path.join(dir, 'audit.3.jsonl'), line: 1, reason: 'missing' });
  });
});
