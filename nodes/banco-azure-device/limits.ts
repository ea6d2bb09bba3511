/**
 * Every bound of the Azure IoT Hub bridge in one place (STYLE §3), units last. The hub-side
 * figures come from the IoT Hub quotas and throttling page (RESEARCH "Azure IoT Hub"); the node
 * settings are clamped to the *_min/*_max pairs here.
 */
export const AZURE_LIMITS = {
  /** IoT Hub refuses a device-to-cloud message over 256 KB; we refuse it before sending. */
  message_bytes_max: 256 * 1024,
  /** The daily quota meters messages in 4 KB blocks on the paid tiers (S1–S3). */
  quota_block_bytes: 4 * 1024,
  /** SAS token lifetime: default one hour; renewed (by reconnecting) before it runs out. */
  token_lifetime_s_default: 3_600,
  token_lifetime_s_min: 5,
  token_lifetime_s_max: 7 * 24 * 3_600,
  /** Renew when this share of the lifetime has passed (0.8: a 1 h token is renewed after 48 min). */
  token_renew_fraction: 0.8,
  /** Reconnect backoff after a lost or refused connection: initial, doubled per failure, capped (with jitter). */
  reconnect_ms_initial: 1_000,
  reconnect_ms_max: 60_000,
  /** One connect attempt (TLS + CONNECT/CONNACK) gives up after this long. */
  connect_timeout_ms: 15_000,
  /** MQTT keepalive; IoT Hub's own default is 230 s (below its 29.45 min idle cut-off); shorter notices a dead network sooner. */
  keepalive_s: 60,
  /** A graceful DISCONNECT (waiting for PUBACKs in flight) that takes longer is forced. */
  end_timeout_ms: 5_000,
  /** How long a send waits for the connection before it counts as one failed (retried) try. */
  send_wait_connected_ms: 30_000,
  /** A publish with no PUBACK after this long counts as failed and is retried (at-least-once). */
  puback_timeout_ms: 30_000,
  /** How long the config node waits for its users' in-flight work before disconnecting (node-red#2876). */
  close_wait_ms: 10_000,
  /** Rate limit, default = S1 with one unit: 100 sends/s per hub and 400,000 messages/day. */
  sends_per_s_default: 100,
  sends_per_s_min: 1,
  sends_per_s_max: 10_000,
  messages_per_day_default: 400_000,
  messages_per_day_min: 1,
  messages_per_day_max: 1_000_000_000,
  /** Events waiting (buffered while disconnected, or in flight); past it new ones go to Catch. */
  queue_events_default: 10_000,
  queue_events_min: 1,
  queue_events_max: 1_000_000,
  /** Batching: events packed into one IoT Hub message (1 = no batching), and how long a partial batch waits. */
  batch_events_default: 1,
  batch_events_min: 1,
  batch_events_max: 500,
  batch_linger_ms_default: 200,
  batch_linger_ms_min: 0,
  batch_linger_ms_max: 10_000,
  /** IoT Hub messages published without waiting for the previous PUBACK (one queue batch). */
  inflight_messages_max: 20,
  /** Event ids remembered to skip duplicates (redeploys replay retained events). */
  dedupe_ids: 10_000,
  /** Cloud-to-device property bags longer than this are not decoded (the hub caps C2D at 64 KB). */
  c2d_topic_chars_max: 65_536,
} as const;

/** The MQTT API version IoT Hub documents for devices (username `{host}/{deviceId}/?api-version=…`). */
export const IOT_HUB_API_VERSION = '2021-04-12';
/** IoT Hub's MQTT-over-TLS port. */
export const IOT_HUB_MQTT_PORT = 8883;
