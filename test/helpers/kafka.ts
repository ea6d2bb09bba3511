/**
 * A real Apache Kafka for the Kafka suites (scripts/kafka/kafka.js: KRaft single node, loopback).
 *
 * - `sharedKafka()`: the run's broker. .ci/run starts one and exports BANCO_TEST_KAFKA_BROKERS;
 *   without it, the suite starts its own in a temp dir (about 10 s) and stops it in afterAll.
 *   Topics are unique per test (`uniqueTopic`), so suites never see each other's records.
 * - `ownKafka()`: a broker only this suite uses, which it may stop and start again (fault tests)
 *   on the same port, keeping its data.
 * - `consumeUntil()`: a kafkajs consumer reading a topic from the beginning until a condition
 *   holds, restarted by kafkajs on crash (RESEARCH "Kafka": consumers die silently otherwise).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';

interface ScriptStart { brokers: string; saslBrokers?: string; port: number; pid: number; dir: string; reused: boolean }
export interface SaslLogin { username: string; password: string }
interface KafkaScript {
  start(opts: { dir?: string; port?: number; fresh?: boolean; quiet?: boolean; sasl?: SaslLogin }): Promise<ScriptStart>;
  stop(opts: { dir?: string; quiet?: boolean; kill?: boolean }): Promise<{ stopped: boolean }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require('../../scripts/kafka/kafka.js') as KafkaScript;

export interface KafkaHandle {
  brokers: string[];
  release(): Promise<void>;
}

export interface OwnKafka extends KafkaHandle {
  /** The SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256/512) when started with a login. */
  saslBrokers?: string[];
  /** Stops the broker (SIGTERM, or SIGKILL with kill: true); its data stays. */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Sends a signal to the broker JVM (SIGSTOP/SIGCONT: a hung, not a dead, broker). */
  signal(signal: NodeJS.Signals): void;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'banco-kafka-'));
}

export async function ownKafka(opts: { sasl?: SaslLogin } = {}): Promise<OwnKafka> {
  const dir = tempDir();
  const first = await script.start({ dir, port: 0, quiet: true, sasl: opts.sasl });
  return {
    brokers: [first.brokers],
    saslBrokers: first.saslBrokers ? [first.saslBrokers] : undefined,
    stop: async (opts = {}) => { await script.stop({ dir, quiet: true, kill: opts.kill }); },
    start: async () => { await script.start({ dir, quiet: true }); },
    signal: (signal) => { process.kill(Number(fs.readFileSync(path.join(dir, 'kafka.pid'), 'utf8')), signal); },
    release: async () => {
      await script.stop({ dir, quiet: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function sharedKafka(): Promise<KafkaHandle> {
  const fromCi = process.env.BANCO_TEST_KAFKA_BROKERS;
  if (fromCi) return { brokers: fromCi.split(',').map((b) => b.trim()), release: async () => undefined };
  return ownKafka();
}

export function uniqueTopic(prefix = 'banco.test'): string {
  return `${prefix}.${randomBytes(4).toString('hex')}`;
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) out[name] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return out;
}

/** A just auto-created topic may not be served yet ("does not host this topic-partition"): retry. */
async function subscribeWhenTopicExists(consumer: Consumer, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return;
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Reads `topic` from the start until `enough(records)` or the timeout; resolves what it read. */
export async function consumeUntil(brokers: string[], topic: string, enough: (records: ConsumedRecord[]) => boolean, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const kafka = new Kafka({ brokers, clientId: 'banco-test-consumer', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `banco-test-${randomBytes(4).toString('hex')}`, retry: { retries: 30 } });
  const records: ConsumedRecord[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const timer = setTimeout(finish, timeoutMs);
  try {
    await consumer.connect();
    await subscribeWhenTopicExists(consumer, topic, timeoutMs);
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({ partition, offset: message.offset, key: message.key?.toString('utf8'), value: message.value?.toString('utf8') ?? '', headers: headersOf(message.headers) });
        if (enough(records)) finish();
      },
    });
    if (enough(records)) finish();
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}
