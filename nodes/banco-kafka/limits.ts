/**
 * Every bound of the Kafka nodes (STYLE §3), units last. Node settings are clamped to the
 * *_min/*_max pairs; docs/kafka.md lists them.
 */
export const KAFKA_LIMITS = {
  /** Events waiting or in flight per export node; the newest is refused beyond this (queue_full). */
  queue_events_default: 10_000,
  queue_events_min: 1,
  queue_events_max: 1_000_000,
  /** Events sent in one produce request. RESEARCH "Kafka": 1 per send ≈ 2k/s, 100 ≈ 24k/s. */
  batch_events_default: 100,
  batch_events_min: 1,
  batch_events_max: 10_000,
  /** How long a partly filled batch waits for more events before it is sent. */
  linger_ms_default: 20,
  linger_ms_min: 0,
  linger_ms_max: 10_000,
  /**
   * Largest record value the node sends; a bigger one is refused before it is queued. The broker's
   * own limit (message.max.bytes, 1,048,588 by default) is checked too: a record it refuses with
   * MESSAGE_TOO_LARGE goes to Catch alone, the rest of its batch is sent.
   */
  value_bytes_default: 1_000_000,
  value_bytes_min: 1_024,
  value_bytes_max: 100 * 1024 * 1024,
  /** Event ids remembered to drop a repeated event (e.g. MQTT redelivery after a reconnect). */
  dedupe_ids: 10_000,
  /** Backoff between tries of a failed batch: doubling from initial to max, with jitter. */
  retry_initial_ms: 250,
  retry_max_ms: 10_000,
  /** Tries per batch: unlimited — an event leaves the queue only when the broker acknowledged it. */
  retry_attempts_max: Infinity,
  /** kafkajs' own retries inside one try, kept short so failures reach our queue and status fast. */
  client_retries: 2,
  client_retry_initial_ms: 100,
  client_retry_max_ms: 1_000,
  /** TCP connect timeout to a broker. */
  connect_timeout_ms: 3_000,
  /** A produce or metadata request without an answer after this counts as failed. */
  request_timeout_ms: 10_000,
  /** While no send proves the connection, the cluster is asked for metadata this often, so a dead broker shows as not connected. */
  probe_interval_ms: 5_000,
  /** How long closing an export node keeps flushing (Node-RED gives a close handler 15 s). */
  close_flush_ms: 8_000,
  /** How long the config node waits for its export nodes to flush before closing the client (< Node-RED's 15 s). */
  config_close_wait_ms: 12_000,
  /** Status updates per node are at most this often (a busy node would otherwise flood the editor). */
  status_interval_ms: 500,
  /** Kafka topic names: legal characters and length (Kafka's Topic.validate). */
  topic_chars_max: 249,
} as const;
