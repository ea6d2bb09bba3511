import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AuditWriter } from '../../../nodes/banco-audit/audit-writer';
import { parseRecord } from '../../../nodes/banco-audit/record';
import { verifyAuditLog } from '../../../nodes/banco-audit/verify';
import { readLines, sampleEvent, tempDir, writeEvents, writeLines, writerOptions } from '../helpers/audit-fixtures';

describe('audit log start-up recovery', () => {
  test('a torn last line is truncated away with a warning and the chain continues', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 10);
    const intact = fs.readFileSync(file);
    fs.appendFileSync(file, readLines(file)[3].slice(0, 57));
    const writer = await AuditWriter.open(writerOptions(file));
    expect(writer.broken).toBeUndefined();
    expect(writer.warnings).toEqual([expect.stringMatching(/torn last line .* truncated/)]);
    expect(fs.readFileSync(file)).toEqual(intact);
    expect(await writer.append(sampleEvent(10))).toMatchObject({ written: true, record: { seq: 11 } });
    await writer.close();
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 11 });
  });

  test('a whole record missing only its newline is completed, with a warning', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 10);
    fs.truncateSync(file, fs.statSync(file).size - 1);
    const writer = await AuditWriter.open(writerOptions(file));
    expect(writer.warnings).toEqual([expect.stringMatching(/completed its newline/)]);
    expect(await writer.append(sampleEvent(9))).toEqual({ written: false, duplicate: true });
    await writer.close();
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 10 });
  });

  test('a bad record in the middle makes the writer refuse to append', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 10);
    const lines = readLines(file);
    writeLines(file, lines.filter((_, i) => i !== 4));
    const before = fs.readFileSync(file);
    const writer = await AuditWriter.open(writerOptions(file));
    expect(writer.broken).toMatchObject({ line: 5, reason: 'missing' });
    await expect(writer.append(sampleEvent(50))).rejects.toMatchObject({ code: 'log_broken' });
    await writer.close();
    expect(fs.readFileSync(file)).toEqual(before);
  });

  test('a log whose current file is missing after a rotation continues from the rotated file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    await writeEvents(file, 0, 100);
    fs.renameSync(file, path.join(dir, 'audit.1.jsonl'));
    await writeEvents(file, 100, 110);
    expect(parseRecord(readLines(file)[0])).toMatchObject({ seq: 101 });
    expect(await verifyAuditLog([dir])).toMatchObject({ ok: true, records: 110 });
  });
});

describe('audit log after kill -9', () => {
  const CHILD = path.join(__dirname, '..', 'helpers', 'audit-writer-child.js');
  const ROUNDS = 3;
  const ACKS_BEFORE_KILL = 300;

  function runAndKill(file: string, round: number): Promise<{ acked: string[]; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD, file, 'batch', String(16 * 1024), `r${round}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      const acked: string[] = [];
      let stderr = '';
      let buffered = '';
      let killed = false;
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        buffered += c.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const p of parts) if (p.startsWith('acked ')) acked.push(p.slice(6));
        if (!killed && acked.length >= ACKS_BEFORE_KILL + round * 97) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), round * 3); // land mid-write at different points
        }
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve({ acked, stderr }) : reject(new Error(`child exited without SIGKILL: ${stderr}`))));
    });
  }

  test('every acknowledged event survives repeated SIGKILLs and the chain still verifies', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.jsonl');
    const acked: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const result = await runAndKill(file, round);
      acked.push(...result.acked);
      const writer = await AuditWriter.open(writerOptions(file, { maxBytes: 16 * 1024 }));
      expect(writer.broken).toBeUndefined();
      await writer.close();
    }
    const report = await verifyAuditLog([dir]);
    expect(report.ok).toBe(true);
    const written = new Set(report.files.flatMap((f) => readLines(f).map((l) => parseRecord(l)!.eventId)));
    expect(acked.length).toBeGreaterThanOrEqual(ROUNDS * ACKS_BEFORE_KILL);
    expect(acked.filter((id) => !written.has(id))).toEqual([]);
    expect(written.size).toBe(report.records);
  }, 120_000);
});
