/** Temp directories and sample events for the audit tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriter, type AuditWriterOptions } from '../../../nodes/banco-audit/audit-writer';

export function tempDir(prefix = 'banco-audit-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sampleEvent(i: number): { eventId: string; topic: string; event: Record<string, unknown> } {
  const id = `evt-${String(i).padStart(6, '0')}`;
  return { eventId: id, topic: 'banco/transacciones', event: { id, cedula: '1350509525', tipo: 'DEPOSITO', monto: 100 + (i % 50), saldo_nuevo: 1000 + i, timestamp: '2025-01-01T00:00:00.000Z' } };
}

export function writerOptions(file: string, extra: Partial<AuditWriterOptions> = {}): AuditWriterOptions {
  return { file, durability: 'batch', maxBytes: 64 * 1024 * 1024, queueMax: 20_000, dedupeIds: 100_000, ...extra };
}

/** Writes events [from, to) through a fresh writer and closes it. */
export async function writeEvents(file: string, from: number, to: number, extra: Partial<AuditWriterOptions> = {}): Promise<void> {
  const writer = await AuditWriter.open(writerOptions(file, extra));
  const appends = [];
  for (let i = from; i < to; i++) appends.push(writer.append(sampleEvent(i)));
  await Promise.all(appends);
  await writer.close();
}

export function readLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

export function writeLines(file: string, lines: string[]): void {
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
}
