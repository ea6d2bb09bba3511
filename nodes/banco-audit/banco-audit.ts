/**
 * banco-audit: appends every incoming event to a hash-chained, append-only JSON-lines file and
 * passes the written record on (msg.payload = record). The shared sink helper (nodes/shared/sink)
 * queues, bounds and reports; the AuditWriter is the transport: done() is called only once the
 * record is durable under the chosen setting; a duplicate event id completes without output.
 */
import path from 'node:path';
import type { NodeDef, NodeMessage, RedAPI, RedNode } from '../shared/node-red';
import { boundedInt } from '../shared/bounds';
import { SinkError } from '../shared/sink/sink-error';
import { runSinkNode, type Connection } from '../shared/sink/sink-node';
import { SinkQueue, type Outcome } from '../shared/sink/sink-queue';
import { defaultAuditFile } from './audit-files';
import { auditInputOf } from './audit-input';
import { AuditWriter, type AuditInput, type AuditWriterOptions } from './audit-writer';
import type { AuditRecord } from './record';
import { AUDIT_LIMITS } from './limits';

interface AuditDef extends NodeDef {
  file?: string;
  durability?: string;
  maxBytes?: string | number;
  queueMax?: string | number;
  dedupeIds?: string | number;
}

/** One event on its way to the log; the transport fills in the record once it is durable. */
interface AuditItem {
  input: AuditInput;
  record?: AuditRecord;
}

function writerOptions(def: AuditDef, userDir: string | undefined): AuditWriterOptions {
  const L = AUDIT_LIMITS;
  return {
    file: def.file && def.file.trim() !== '' ? path.resolve(def.file.trim()) : defaultAuditFile(userDir),
    durability: def.durability === 'record' ? 'record' : 'batch',
    maxBytes: boundedInt(def.maxBytes, L.file_bytes_default, L.file_bytes_min, L.file_bytes_max),
    queueMax: boundedInt(def.queueMax, L.queue_records_default, L.queue_records_min, L.queue_records_max),
    dedupeIds: boundedInt(def.dedupeIds, L.dedupe_ids_default, L.dedupe_ids_min, L.dedupe_ids_max),
  };
}

/** Writes a batch: the writer group-commits appends made in one turn (one write + one fsync). */
async function writeBatch(writer: Promise<AuditWriter>, batch: readonly AuditItem[]): Promise<readonly Outcome[]> {
  const w = await writer;
  const results = await Promise.allSettled(batch.map((item) => w.append(item.input)));
  return results.map((r, i) => {
    if (r.status === 'rejected') return new SinkError('permanent', (r.reason as Error).message, { cause: r.reason });
    if (r.value.written) batch[i].record = r.value.record;
    return undefined;
  });
}

export = function registerBancoAudit(RED: RedAPI): void {
  function BancoAuditNode(this: RedNode, def: AuditDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const opts = writerOptions(def, RED.settings.userDir);
    let connection: Connection = { state: 'connecting' };
    const ready = AuditWriter.open(opts);
    const queue = new SinkQueue<AuditItem>({ send: (batch) => writeBatch(ready, batch) }, {
      queueMax: opts.queueMax,
      batchMax: Math.min(opts.queueMax, AUDIT_LIMITS.batch_records_max),
      lingerMs: 0,
      // A write failure leaves the writer broken (it refuses until restarted): nothing to retry.
      retry: { initial_ms: 100, max_ms: 1_000, attempts_max: 1 },
      // The writer remembers written ids itself, rebuilt from the files on start.
      dedupeIds: 0,
    });
    const sink = runSinkNode<AuditItem>({
      RED, node, queue,
      connection: () => connection,
      prepare: (msg: NodeMessage) => {
        const parsed = auditInputOf(msg);
        return parsed.ok ? { id: parsed.input.eventId, value: { input: parsed.input } } : new SinkError('bad_input', parsed.message);
      },
      output: (msg, _result, item) => (item.record ? { ...msg, payload: item.record } : null),
      closeTransport: () => ready.then((writer) => writer.close(), () => undefined),
    });

    ready.then((writer) => {
      for (const warning of writer.warnings) node.warn(warning);
      if (writer.broken) {
        const b = writer.broken;
        node.error(RED._('banco-audit.errors.broken') + ` ${b.file} line ${b.line}: ${b.reason} (${b.detail})`);
        connection = { state: 'error', detail: RED._('banco-audit.status.broken', { line: b.line, reason: b.reason }) };
      } else connection = { state: 'connected' };
      sink.refreshStatus();
    }, (err: Error) => {
      node.error(`${RED._('banco-audit.errors.open')} ${opts.file}: ${err.message}`);
      connection = { state: 'error', detail: RED._('banco-audit.status.openFailed') };
      sink.refreshStatus();
    });
  }
  RED.nodes.registerType('banco-audit', BancoAuditNode);
};
