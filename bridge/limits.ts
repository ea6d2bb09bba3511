/**
 * Bounds of the customer bridge, in one place; units are the last word of each name. The ones a
 * setting can change say so (bridge/config.ts, README "Settings").
 */
export const BRIDGE_LIMITS = {
  /** JSON-lines connections to the core per bridge process (BANCO_BRIDGE_CORE_CONNECTIONS). */
  core_connections: 4,
  /**
   * Requests waiting for the core's answer, per bridge process, over all pool connections. Past
   * it a request is refused at once with NO_DISPONIBLE (backpressure instead of an unbounded queue).
   */
  core_pending_max: 512,
  /** A request the core has not answered after this long fails with NO_DISPONIBLE (BANCO_BRIDGE_CORE_TIMEOUT_MS). */
  core_request_timeout_ms: 5000,
  /** First wait before reconnecting to the core; doubles per failed attempt up to the max. */
  core_reconnect_initial_ms: 100,
  core_reconnect_max_ms: 5000,
  /** Longest line the bridge accepts from the core (the core's own limit is 64 KiB). */
  core_line_bytes_max: 1024 * 1024,
  /** A session lives at most this long after login (BANCO_BRIDGE_SESSION_TTL_MS). */
  session_ttl_ms: 8 * 60 * 60 * 1000,
  /** A session with no customer request for this long is over (BANCO_BRIDGE_SESSION_IDLE_MS). */
  session_idle_ms: 10 * 60 * 1000,
  /** The cookie is re-issued (new "last seen") at most this often, not on every request. */
  session_touch_interval_ms: 30 * 1000,
  /** Logged-out session ids remembered by this process until their expiry. */
  revoked_sessions_max: 100_000,
  /** Open sockets re-check their session (expiry, idle, logout) this often. */
  socket_session_check_ms: 15 * 1000,
  /** Requests per IP address: bucket size and refill per second (rate: BANCO_BRIDGE_IP_REQUESTS_PER_SECOND). */
  ip_requests_burst_max: 120,
  ip_requests_per_second_max: 20,
  /** Login attempts per IP address: bucket size and refill per minute (rate: BANCO_BRIDGE_IP_LOGINS_PER_MINUTE). */
  ip_logins_burst_max: 10,
  ip_logins_per_minute_max: 10,
  /** Requests per session: bucket size and refill per second (rate: BANCO_BRIDGE_SESSION_REQUESTS_PER_SECOND). */
  session_requests_burst_max: 60,
  session_requests_per_second_max: 5,
  /** Socket events per socket: bucket size and refill per second. */
  socket_events_burst_max: 20,
  socket_events_per_second_max: 5,
  /** Rate-limit buckets kept per process (IPs + sessions); the oldest is dropped past it. */
  rate_buckets_max: 100_000,
  /** Accounts whose latest balance version this process remembers (stale-event filter). */
  versions_max: 200_000,
  /** Largest HTTP request body, in bytes. */
  body_bytes_max: 4 * 1024,
  /** Movements per history page, and how many of the newest movements the pages cover (the core's maximum). */
  history_page_rows: 10,
  history_rows_max: 100,
  /** Compatibility mode: cédulas one legacy socket may subscribe to. */
  compat_subscriptions_per_socket_max: 10,
  /** Sockets per bridge process (Socket.IO connections, both namespaces). */
  sockets_max: 10_000,
  /** Shutdown: in-flight HTTP requests get this long before connections are cut. */
  shutdown_grace_ms: 5000,
} as const;
