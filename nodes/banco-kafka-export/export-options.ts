/** Reads a banco-kafka-export node's settings once, clamped to KAFKA_LIMITS. */
import { KAFKA_LIMITS as L } from '../banco-kafka/limits';
import { boundedInt } from '../shared/bounds';
import type { NodeDef } from '../shared/node-red';
import type { SinkQueueOptions } from '../shared/sink/sink-queue';
import { DEFAULT_KAFKA_TOPIC, type RecordOptions } from './kafka-record';

export interface ExportDef extends NodeDef {
  kafka?: string;
  topic?: string;
  topicFrom?: string;
  batchMax?: string | number;
  lingerMs?: string | number;
  queueMax?: string | number;
  valueBytesMax?: string | number;
}

export interface ExportOptions {
  record: RecordOptions;
  queue: SinkQueueOptions;
}

export function readExportOptions(def: ExportDef): ExportOptions {
  const topic = typeof def.topic === 'string' && def.topic.trim() !== '' ? def.topic.trim() : DEFAULT_KAFKA_TOPIC;
  const queueMax = boundedInt(def.queueMax, L.queue_events_default, L.queue_events_min, L.queue_events_max);
  return {
    record: {
      topic,
      topicFrom: def.topicFrom === 'msg' ? 'msg' : 'fixed',
      valueBytesMax: boundedInt(def.valueBytesMax, L.value_bytes_default, L.value_bytes_min, L.value_bytes_max),
    },
    queue: {
      queueMax,
      batchMax: Math.min(queueMax, boundedInt(def.batchMax, L.batch_events_default, L.batch_events_min, L.batch_events_max)),
      lingerMs: boundedInt(def.lingerMs, L.linger_ms_default, L.linger_ms_min, L.linger_ms_max),
      retry: { initial_ms: L.retry_initial_ms, max_ms: L.retry_max_ms, attempts_max: L.retry_attempts_max },
      dedupeIds: L.dedupe_ids,
    },
  };
}
