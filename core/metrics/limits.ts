/** Bounds of the health and metrics listener (core/metrics/); units last in each name. */
export const METRICS_LIMITS = {
  /** Default readiness bound: more unsent outbox rows than this and /health answers 503 (BANCO_HEALTH_OUTBOX_BACKLOG_MAX). */
  outbox_backlog_ready_max: 10_000,
  /** A database probe (the backlog query) not answered within this counts as "database unreachable". */
  database_probe_timeout_ms: 2000,
  /**
   * A probe result is reused for this long: a scrape and a health check arriving together, or a
   * client hammering /health, cost the database at most one query per this period.
   */
  probe_reuse_ms: 1000,
  /** Open HTTP connections to the listener; it is for a scraper and a health checker, not the public. */
  connections_max: 16,
  /** A request's headers must arrive within this (slow-loris bound). */
  headers_timeout_ms: 5000,
  /** A whole request, headers to response, within this. */
  request_timeout_ms: 10_000,
} as const;

/** Buckets of the request latency histogram, in seconds: sub-millisecond reads to a stalled commit. */
export const REQUEST_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Buckets of the relay publish latency histogram, in seconds: loopback acks to a slow broker. */
export const PUBLISH_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
