import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriter, type AuditWriterOptions } from '../../../nodes/banco-audit/audit-writer';
import { verifyAuditLog } from '../../../nodes/banco-audit/verify';
import { tempDir } from '../helpers/audit-fixtures';

const options = (file: string): AuditWriterOptions => ({ file, durability: 'batch', maxBytes: 1024 * 1024, queueMax: 100, dedupeIds: 100 });
const event = (id: string) => ({ eventId: id, topic: 'banco/transacciones', event: { id, monto: 1 } });

describe('one writer per audit log', () => {
  it('a second writer on the same file is refused while the first runs, and gets it after the first closes', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const first = await AuditWriter.open(options(file));
    await expect(AuditWriter.open(options(file))).rejects.toThrow(/is being written by pid \d+ on .* one writer per log/);
    await first.append(event('a'));
    await first.close();
    const second = await AuditWriter.open(options(file));
    await second.append(event('b'));
    await second.close();
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 2 });
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over the lock of a writer that died on this host', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    // A pid that ran and is gone: a child that exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: Number(dead), host: os.hostname(), since: 'earlier' }));
    const writer = await AuditWriter.open(options(file));
    await writer.append(event('a'));
    await writer.close();
  });

  it('refuses a lock held from another host, naming the file to delete', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, host: 'other-host', since: 'earlier' }));
    await expect(AuditWriter.open(options(file))).rejects.toThrow(`delete ${file}.lock`);
  });
});

describe('the audit lock file', () => {
  it('an unreadable (half-written) lock is not taken over: it may belong to a live writer elsewhere', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    fs.writeFileSync(`${file}.lock`, '');
    await expect(AuditWriter.open(options(file))).rejects.toThrow(/cannot be read; another writer may hold it/);
    expect(fs.readFileSync(`${file}.lock`, 'utf8')).toBe('');
  });

  it('is never visible half-written: it appears whole, with its holder', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const writer = await AuditWriter.open(options(file));
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp') || f.endsWith('.stale'))).toEqual([]);
    await writer.close();
  });
});
