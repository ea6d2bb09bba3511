/**
 * banco-audit: appends every incoming event to a hash-chained, append-only JSON-lines file and
 * passes the written record on (msg.payload = record). done() is called only once the record is
 * durable under the chosen setting; a duplicate event id completes without output.
 */
import path from 'node:path';
import type { DoneFn, NodeDef, NodeMessage, RedAPI, RedNode, SendFn } from '../shared/node-red';
import { boundedInt } from '../shared/bounds';
import { defaultAuditFile } from './audit-files';
import { auditInputOf } from './audit-input';
import { AuditWriter, type AuditWriterOptions } from './audit-writer';
import { AUDIT_LIMITS } from './limits';

interface AuditDef extends NodeDef {
  file?: string;
  durability?: string;
  maxBytes?: string | number;
  queueMax?: string | number;
  dedupeIds?: string | number;
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

export = function registerBancoAudit(RED: RedAPI): void {
  function BancoAuditNode(this: RedNode, def: AuditDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const opts = writerOptions(def, RED.settings.userDir);
    let statusAt = 0;
    const showStatus = (writer: AuditWriter, force = false) => {
      const now = Date.now();
      if (!force && now - statusAt < AUDIT_LIMITS.status_interval_ms) return;
      statusAt = now;
      node.status({ fill: 'green', shape: 'dot', text: RED._('banco-audit.status.ready', { seq: writer.lastSeq }) });
    };
    const ready = AuditWriter.open(opts).then((writer) => {
      for (const warning of writer.warnings) node.warn(warning);
      if (writer.broken) {
        node.error(RED._('banco-audit.errors.broken') + ` ${writer.broken.file} line ${writer.broken.line}: ${writer.broken.reason} (${writer.broken.detail})`);
        node.status({ fill: 'red', shape: 'dot', text: RED._('banco-audit.status.broken', { line: writer.broken.line, reason: writer.broken.reason }) });
      } else showStatus(writer, true);
      return writer;
    });
    ready.catch((err: Error) => {
      node.error(`${RED._('banco-audit.errors.open')} ${opts.file}: ${err.message}`);
      node.status({ fill: 'red', shape: 'dot', text: RED._('banco-audit.status.openFailed') });
    });

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const parsed = auditInputOf(msg);
      if (!parsed.ok) return done(new Error(parsed.message));
      ready
        .then((writer) => writer.append(parsed.input).then((result) => {
          showStatus(writer);
          if (result.written) send({ ...msg, payload: result.record });
          done();
        }))
        .catch((err: Error) => done(err));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      ready.then((writer) => writer.close()).then(done, () => done());
    });
  }
  RED.nodes.registerType('banco-audit', BancoAuditNode);
};
