/**
 * Events per second the banco-audit writer sustains (hash chain + JSON lines + fsync), measured
 * through the same AuditWriter the node uses. Run: `npm run build && node dist/bench/audit-throughput.js
 * [events] [batch|record]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditWriter, type Durability } from '../nodes/banco-audit/audit-writer';

export interface AuditBenchOptions {
  events?: number;
  durability?: Durability;
  /** Appends outstanding at once (like messages arriving while a write runs); ≤ the queue bound. */
  inFlight?: number;
  dir?: string;
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  params: Record<string, string | number>;
}

function sampleEvent(i: number): { eventId: string; topic: string; event: Record<string, unknown> } {
  const id = `bench-${i}`;
  return { eventId: id, topic: 'banco/transacciones', event: { id, cedula: '1350509525', tipo: 'DEPOSITO', monto: 150.25, saldo_nuevo: 1150.25, timestamp: new Date(0).toISOString() } };
}

export async function benchAudit(opts: AuditBenchOptions = {}): Promise<BenchResult> {
  const events = opts.events ?? 50_000;
  const durability = opts.durability ?? 'batch';
  const inFlight = opts.inFlight ?? 1_000;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'banco-audit-bench-'));
  const writer = await AuditWriter.open({ file: path.join(dir, 'audit.jsonl'), durability, maxBytes: 64 * 1024 * 1024, queueMax: inFlight, dedupeIds: 100_000 });
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < events) await writer.append(sampleEvent(next++));
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, events) }, worker));
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  await writer.close();
  if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  return { name: `audit_append_${durability}`, value: Math.round(events / elapsedS), unit: 'events/s', params: { events, durability, inFlight, elapsed_s: Number(elapsedS.toFixed(3)) } };
}

async function main(): Promise<void> {
  const [eventsArg, durabilityArg] = process.argv.slice(2);
  const result = await benchAudit({ events: eventsArg ? Number(eventsArg) : undefined, durability: durabilityArg === 'record' ? 'record' : 'batch' });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
