/**
 * KafkaClient over kafkajs 2.2.4 — the only file that imports kafkajs. One idempotent producer
 * (acks −1, one request in flight, as kafkajs' idempotence requires) and an admin client used only
 * to probe the cluster while no send proves it is there.
 *
 * kafkajs facts this relies on (checked against a real Kafka 4.4 here): a dead broker fires no
 * producer DISCONNECT event (only our own disconnect() does), so the state comes from the
 * outcome of every request; a refused connection surfaces as KafkaJSNonRetriableError whose
 * cause is a KafkaJSConnectionError; an oversized record as KafkaJSProtocolError type
 * MESSAGE_TOO_LARGE for the whole request.
 */
import { Kafka, logLevel, type Admin, type Message, type Producer, type SASLOptions } from 'kafkajs';
import type tls from 'node:tls';
import { KafkaClientError, type ConnectionState, type KafkaClient, type KafkaRecord } from './client';
import { KAFKA_LIMITS } from './limits';

export interface KafkajsSettings {
  brokers: string[];
  clientId: string;
  tls?: tls.ConnectionOptions;
  sasl?: SASLOptions;
}

/** kafkajs error names and protocol error types that mean "the cluster is not there right now". */
const UNREACHABLE_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSBrokerNotFound', 'KafkaJSMetadataNotLoaded', 'KafkaJSLockTimeout', 'KafkaJSStaleTopicMetadataAssignment']);
const AUTH_NAMES = new Set(['KafkaJSSASLAuthenticationError']);
const AUTH_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

/**
 * The idempotent producer's sequence state no longer matches the broker's. kafkajs does not
 * recover from these by itself (seen here after a MESSAGE_TOO_LARGE: every later send failed
 * with OUT_OF_ORDER_SEQUENCE_NUMBER), so the client starts a new producer (new producer id) and
 * the batch is retried: at-least-once, consumers dedupe by the event-id header.
 */
const SEQUENCE_TYPES = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'DUPLICATE_SEQUENCE_NUMBER', 'INVALID_PRODUCER_ID_MAPPING']);

interface KafkajsErrorLike { name?: string; type?: string; retriable?: boolean; message?: string; cause?: unknown; code?: string }

function chainOf(err: unknown): KafkajsErrorLike[] {
  const chain: KafkajsErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current as KafkajsErrorLike);
    current = (current as KafkajsErrorLike).cause;
  }
  return chain;
}

/** Maps whatever kafkajs threw to our closed set of codes (exported for the transport's tests). */
export function classifyKafkajsError(err: unknown): KafkaClientError {
  if (err instanceof KafkaClientError) return err;
  const chain = chainOf(err);
  const message = chain.map((e) => e.message).filter(Boolean).at(-1) ?? String(err);
  if (chain.some((e) => e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE')) return new KafkaClientError('too_large', `the broker refused the record as too large (message.max.bytes): ${message}`, { cause: err });
  if (chain.some((e) => AUTH_NAMES.has(e.name ?? '') || AUTH_TYPES.has(e.type ?? ''))) return new KafkaClientError('auth', `Kafka refused the credentials or the permission: ${message}`, { cause: err });
  if (chain.some((e) => e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT')) return new KafkaClientError('auth', `TLS: the broker certificate was not accepted: ${message}`, { cause: err });
  if (chain.some((e) => SEQUENCE_TYPES.has(e.type ?? ''))) return new KafkaClientError('unreachable', `the producer lost its sequence and is restarted: ${message}`, { cause: err });
  if (chain.some((e) => UNREACHABLE_NAMES.has(e.name ?? '') || e.retriable === true)) return new KafkaClientError('unreachable', `Kafka unreachable: ${message}`, { cause: err });
  const protocol = chain.find((e) => e.name === 'KafkaJSProtocolError');
  if (protocol) return new KafkaClientError('rejected', `Kafka refused the request (${protocol.type}): ${message}`, { cause: err });
  return new KafkaClientError('unreachable', `Kafka request failed: ${message}`, { cause: err });
}

function groupByTopic(records: readonly KafkaRecord[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const messages = byTopic.get(r.topic) ?? [];
    messages.push({ key: r.key, value: r.value, headers: r.headers });
    byTopic.set(r.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private producer: Producer;
  private readonly retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  private readonly admin: Admin;
  private producerReady: Promise<void> | undefined;
  private adminReady: Promise<void> | undefined;
  private current: ConnectionState = { state: 'connecting' };
  private readonly listeners = new Set<(state: ConnectionState) => void>();

  constructor(settings: KafkajsSettings) {
    const retry = { retries: KAFKA_LIMITS.client_retries, initialRetryTime: KAFKA_LIMITS.client_retry_initial_ms, maxRetryTime: KAFKA_LIMITS.client_retry_max_ms };
    this.kafka = new Kafka({
      brokers: settings.brokers,
      clientId: settings.clientId,
      ssl: settings.tls,
      sasl: settings.sasl,
      connectionTimeout: KAFKA_LIMITS.connect_timeout_ms,
      requestTimeout: KAFKA_LIMITS.request_timeout_ms,
      retry,
      // Our state and status report failures once per change; kafkajs would log every retry.
      logLevel: logLevel.NOTHING,
    });
    this.retry = retry;
    this.producer = this.newProducer();
    this.admin = this.kafka.admin({ retry });
  }

  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true, retry: this.retry });
  }

  /** A fresh producer (new id, sequences from 0) after the broker refused a request. */
  private resetProducer(): void {
    const old = this.producer;
    this.producer = this.newProducer();
    this.producerReady = undefined;
    old.disconnect().catch(() => undefined);
  }

  get state(): ConnectionState {
    return this.current;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async send(records: readonly KafkaRecord[]): Promise<void> {
    if (this.current.state === 'closed') throw new KafkaClientError('unreachable', 'the Kafka client is closed');
    try {
      this.producerReady ??= this.producer.connect();
      await this.producerReady;
      await this.producer.sendBatch({ acks: -1, topicMessages: groupByTopic(records) });
      this.setState({ state: 'connected' });
    } catch (err) {
      const failure = this.failed(err, () => { this.producerReady = undefined; });
      const sequenceLost = chainOf(err).some((e) => SEQUENCE_TYPES.has(e.type ?? ''));
      if (failure.code === 'too_large' || failure.code === 'rejected' || sequenceLost) this.resetProducer();
      throw failure;
    }
  }

  async probe(): Promise<void> {
    if (this.current.state === 'closed') return;
    try {
      this.adminReady ??= this.admin.connect();
      await this.adminReady;
      await this.admin.describeCluster();
      if (this.current.state !== 'failed') this.setState({ state: 'connected' });
    } catch (err) {
      throw this.failed(err, () => { this.adminReady = undefined; });
    }
  }

  async close(): Promise<void> {
    this.setState({ state: 'closed' });
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private failed(err: unknown, reset: () => void): KafkaClientError {
    const classified = classifyKafkajsError(err);
    if (classified.code === 'unreachable') {
      reset(); // a failed connect must be tried again on the next request
      this.setState({ state: 'unreachable', error: classified.message });
    } else if (classified.code === 'auth') {
      reset();
      this.setState({ state: 'failed', code: 'auth', error: classified.message });
    }
    // too_large / rejected concern one request, not the connection: the state stays as it was.
    return classified;
  }

  private setState(next: ConnectionState): void {
    if (this.current.state === 'closed') return;
    const same = next.state === this.current.state && ('error' in next ? next.error : '') === ('error' in this.current ? this.current.error : '');
    this.current = next;
    if (!same) for (const listener of this.listeners) listener(next);
  }
}
