/**
 * Events per second the banco-kafka-export path sustains against a real Kafka — the node's own
 * pieces (prepareRecord → SinkQueue → KafkaTransport → KafkajsClient, acks −1, idempotent) —
 * batched (batchMax 100, linger 20 ms) against one message per send (batchMax 1), side by side
 * in one run on one broker. Each event counts when Kafka acknowledged it.
 * Broker: KAFKA_BENCH_BROKERS, else one started for the run by scripts/kafka/kafka.js.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { KafkaRecord } from '../nodes/banco-kafka/client';
import { KafkajsClient } from '../nodes/banco-kafka/kafkajs-client';
import { KAFKA_LIMITS } from '../nodes/banco-kafka/limits';
import { KafkaTransport } from '../nodes/banco-kafka-export/kafka-transport';
import { prepareRecord } from '../nodes/banco-kafka-export/kafka-record';
import { SinkQueue } from '../nodes/shared/sink/sink-queue';
import { round2, type Figure } from './figure';

interface KafkaScript {
  start(opts: { dir?: string; port?: number; quiet?: boolean }): Promise<{ brokers: string }>;
  stop(opts: { dir?: string; quiet?: boolean }): Promise<unknown>;
}

const CEDULAS = ['1350509525', '1712345675', '0900000019', '1315151515', '1720304050', '0987654321', '1104567890'];
/** Pushes outstanding at once: events arriving while a batch is in flight, ≤ the queue bound. */
const IN_FLIGHT_EVENTS = 2_000;

async function withBroker<T>(fn: (brokers: string[]) => Promise<T>): Promise<T> {
  const fromEnv = process.env.KAFKA_BENCH_BROKERS;
  if (fromEnv) return fn(fromEnv.split(','));
  // dist/bench/ and bench/ are both two levels below the repository root.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const script = require(path.resolve(__dirname, '..', '..', 'scripts', 'kafka', 'kafka.js')) as KafkaScript;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-bench-kafka-'));
  try {
    const { brokers } = await script.start({ dir, port: 0, quiet: true });
    return await fn([brokers]);
  } finally {
    await script.stop({ dir, quiet: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function exportRate(brokers: string[], events: number, batchMax: number, lingerMs: number): Promise<{ rate: number; elapsed_s: number }> {
  const client = new KafkajsClient({ brokers, clientId: 'banco-bench' });
  const topic = `banco.bench.${randomBytes(4).toString('hex')}`;
  const queue = new SinkQueue<KafkaRecord>(new KafkaTransport(client), {
    queueMax: IN_FLIGHT_EVENTS, batchMax, lingerMs, dedupeIds: KAFKA_LIMITS.dedupe_ids,
    retry: { initial_ms: KAFKA_LIMITS.retry_initial_ms, max_ms: KAFKA_LIMITS.retry_max_ms, attempts_max: KAFKA_LIMITS.retry_attempts_max },
  });
  const opts = { topicFrom: 'fixed' as const, topic, valueBytesMax: KAFKA_LIMITS.value_bytes_default };
  const push = (i: number) => {
    const prepared = prepareRecord({ topic: 'banco/transacciones', payload: { id: `${topic}-${i}`, timestamp: new Date().toISOString(), cedula: CEDULAS[Math.abs(i) % CEDULAS.length], tipo: 'DEPOSITO', monto: 150.25, saldo_nuevo: 1150.25, version: i + 1 } }, opts);
    if (!prepared.ok) throw prepared.error;
    return queue.push(prepared.eventId, prepared.record);
  };
  await push(-1); // topic auto-created, producer connected: not part of the measurement
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < events) await push(next++);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT_EVENTS, events) }, worker));
  const elapsed_s = Number(process.hrtime.bigint() - started) / 1e9;
  await queue.close(KAFKA_LIMITS.close_flush_ms);
  await client.close();
  return { rate: Math.round(events / elapsed_s), elapsed_s: round2(elapsed_s) };
}

export async function benchKafka(opts: { quick: boolean }): Promise<Figure> {
  const batchedEvents = opts.quick ? 5_000 : 30_000;
  const singleEvents = opts.quick ? 1_000 : 5_000;
  return withBroker(async (brokers) => {
    const single = await exportRate(brokers, singleEvents, 1, 0);
    const batched = await exportRate(brokers, batchedEvents, KAFKA_LIMITS.batch_events_default, KAFKA_LIMITS.linger_ms_default);
    return {
      name: 'kafka.export.batched',
      value: batched.rate,
      unit: 'events/s',
      baseline: single.rate,
      ratio: round2(batched.rate / single.rate),
      params: { batchMax: KAFKA_LIMITS.batch_events_default, lingerMs: KAFKA_LIMITS.linger_ms_default, events: batchedEvents, elapsed_s: batched.elapsed_s, baseline: 'one message per send (batchMax 1)', baseline_events: singleEvents, baseline_elapsed_s: single.elapsed_s, acks: -1, idempotent: true, inFlight: IN_FLIGHT_EVENTS },
    };
  });
}
