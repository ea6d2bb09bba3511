/**
 * Every bound the embedded broker enforces, in one place. Units are the last word of each name.
 * The ones a setting can change are listed in docs/event-bus.md.
 */
export const BROKER_LIMITS = {
  /** Open MQTT connections over all listeners (TCP, WebSocket, TLS); the next one is closed. */
  connections_max: 1024,
  /** Largest MQTT packet a client may send (remaining length, MQTT 3.1.1 §2.2.3); bigger → disconnected. */
  packet_bytes_max: 256 * 1024,
  /** A connection that has not sent CONNECT within this time is closed. */
  connect_timeout_ms: 10_000,
  /**
   * Largest keep-alive a client may ask for, in seconds. aedes then also refuses keep-alive 0 (none):
   * without it a half-open connection would hold its slot for ever.
   */
  keepalive_seconds_max: 3600,
  /** Packets aedes buffers for one client while its CONNECT is being processed. */
  connect_queue_packets_max: 100,
  /** QoS 2 messages from one client waiting for PUBREL. */
  inflight_inbound_max: 100,
  /** Longest client id of an MQTT 3.1 client (aedes checks it for protocol 3 only; 3.1.1 ids are bounded by packet_bytes_max). */
  client_id_chars_max: 64,
  /** Topic levels in one topic or filter. */
  topic_levels_max: 16,
  /** Password checks (scrypt, ~50 ms of CPU each) running at once; past it CONNACK 3 (server unavailable). */
  auth_concurrency_max: 8,
  /** A customer PIN check the broker asks the core for (core-pin-check.ts) must be answered within this. */
  core_pin_check_timeout_ms: 5_000,
  /** Customer PIN checks asked of the core at once; one more is refused as busy (CONNACK server unavailable). */
  core_pin_checks_max: 8,
  /** Users the users file may hold. */
  users_max: 10_000,
  /** Size of the users file read at start-up. */
  users_file_bytes_max: 4 * 1024 * 1024,
  /**
   * QoS 1/2 messages queued for one persistent session, unacknowledged ones of an online client
   * included (as Mosquitto's max_queued_messages); newer ones are dropped, and the drops logged
   * once per client per interval. BANCO_MQTT_SESSION_QUEUE_MAX.
   */
  session_queued_messages_max: 1000,
  /** A stalled client that does not drain its socket for this long is disconnected. */
  drain_timeout_ms: 30_000,
  /** Grace for open connections when the broker stops. */
  stop_grace_ms: 5_000,
} as const;

export type BrokerLimits = { -readonly [K in keyof typeof BROKER_LIMITS]: number };
