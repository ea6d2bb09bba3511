/**
 * Every bound of the Banco sidebar plugin (STYLE §3), units last. The feed's own bounds (events
 * kept, event size) are in nodes/shared/event-feed.ts.
 */
export const SIDEBAR_LIMITS = {
  /** New events go to the editors at most this often (≤ 2 publishes per second). */
  publish_interval_ms: 500,
  /** The integrations' health is read this often and published when it changed. */
  health_interval_ms: 1_000,
  /** Longest last-error text sent to the editor. */
  error_chars_max: 200,
} as const;
