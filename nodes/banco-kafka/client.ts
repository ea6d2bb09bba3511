/**
 * Our Kafka client interface: what the export node needs from Kafka and nothing more, so kafkajs
 * (RESEARCH "Kafka": maintenance uncertain) stays in one file, kafkajs-client.ts, and another
 * client could implement this instead.
 */
export interface KafkaRecord {
  topic: string;
  /** Partitioning key: records with the same key keep their order (one partition). */
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export type KafkaErrorCode =
  /** No broker answered, or it answered "try later" (leader moving, timeouts, not enough replicas). */
  | 'unreachable'
  /** The broker refused a record as larger than its message.max.bytes. */
  | 'too_large'
  /** TLS or SASL refused our credentials. */
  | 'auth'
  /** The broker refused the request for good (bad topic name, authorization, invalid record). */
  | 'rejected';

export class KafkaClientError extends Error {
  readonly retriable: boolean;

  constructor(readonly code: KafkaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KafkaClientError';
    this.retriable = code === 'unreachable';
  }
}

/**
 * What we know about the cluster, from the last thing that happened: `connected` only after a
 * request succeeded and nothing failed since.
 */
export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'unreachable'; error: string }
  | { state: 'failed'; code: 'auth' | 'config'; error: string }
  | { state: 'closed' };

export interface KafkaClient {
  /** Sends the records with acks from all in-sync replicas; resolves only when acknowledged. */
  send(records: readonly KafkaRecord[]): Promise<void>;
  /** Asks the cluster for metadata; resolves when a broker answered. */
  probe(): Promise<void>;
  close(): Promise<void>;
  /** Called on every state change. */
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
}
