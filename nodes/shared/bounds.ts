/**
 * Every bound the Node-RED nodes enforce, in one place (STYLE §3). Units are the last word of
 * each name. Node settings are clamped to the *_min/*_max pairs here.
 */
export const NODE_BOUNDS = {
  /** Largest MQTT payload banco-events parses; bigger ones are reported as errors, not parsed. */
  event_payload_bytes_max: 256 * 1024,
  /** Default number of event ids banco-events remembers to drop duplicates. */
  dedupe_ids_default: 10_000,
  /** Smallest / largest dedupe window a banco-events node may be configured with. */
  dedupe_ids_min: 1,
  dedupe_ids_max: 1_000_000,
  /** MQTT keepalive: a dead network is noticed after about 1.5× this. */
  keepalive_s_default: 15,
  keepalive_s_min: 1,
  keepalive_s_max: 600,
  /** Wait between reconnect attempts. */
  reconnect_ms: 2_000,
  /** Give up one connect attempt after this long. */
  connect_timeout_ms: 10_000,
  /** How long the broker node waits for its users' in-flight work before disconnecting
   *  (Node-RED gives every close handler 15 s; node-red#2876). */
  close_wait_ms: 10_000,
  /** A graceful MQTT DISCONNECT that takes longer than this is forced. */
  end_timeout_ms: 3_000,
} as const;

/** Clamp a configured number to [min, max]; non-numbers give the default. */
export function boundedInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}
