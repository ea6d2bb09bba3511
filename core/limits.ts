/**
 * Every bound the core enforces, in one place. Units are the last word of each name.
 * Each is the default of a setting (see core/config.ts and README "Settings").
 */
export const LIMITS = {
  /**
   * Nesting depth of a JSON request's `id`, which is echoed: JSON.parse accepts nesting that
   * JSON.stringify cannot print without running out of stack.
   */
  json_id_depth_max: 32,
  /** Longest request line, both protocols (CONTRACT §4). Longer → error, connection closed. */
  line_bytes_max: 64 * 1024,
  /** Open TCP connections per core process; the next one gets an error and is closed. */
  connections_max: 1024,
  /** Open TCP connections from one remote address. */
  connections_per_ip_max: 256,
  /** A connection with no traffic for this long is closed. */
  idle_timeout_ms: 5 * 60 * 1000,
  /** Requests per second one connection may sustain (token bucket refill). */
  requests_per_second_max: 5000,
  /** Token bucket size: the burst a connection may send at once. */
  requests_burst_max: 5000,
  /** JSON requests of one connection being processed at once; past it the socket is paused. */
  pipeline_depth_max: 256,
  /** Unread response bytes per connection before the server stops reading its requests. */
  write_buffer_bytes_max: 1024 * 1024,
  /**
   * Legacy text: bytes without a newline that do not form a whole command (a write TCP split)
   * wait this long for the rest, then run as they are. Whole commands never wait (CONTRACT §3).
   */
  legacy_incomplete_wait_ms: 200,
  /**
   * Legacy text: the most bytes without a newline that can be one whole command. The old server
   * read one command with recv(1024); more than this without a newline is the start of a longer
   * line, which waits for its newline (and is refused past `line_bytes_max`).
   */
  legacy_bare_command_bytes_max: 1024,
  /**
   * Lines one connection may handle in one turn of the event loop before it lets the others
   * run: a read holding thousands of small requests cannot hold the process.
   */
  lines_per_turn_max: 32,
  /**
   * Protocol errors (empty or unknown commands, unparsable JSON, unknown ops, rate-limit
   * refusals) a connection may make at once; past the bucket it is answered once more and closed.
   */
  protocol_errors_burst_max: 100,
  /** Refill of that bucket: protocol errors per second a connection may sustain. */
  protocol_errors_per_second_max: 10,
  /** Money movements committed in one database transaction (group commit). */
  batch_operations_max: 256,
  /** Operations waiting for a commit slot; past it requests get NO_DISPONIBLE. */
  batch_queue_max: 20_000,
  /** Retries of one batch after a deadlock or duplicate-key race (a lock wait timeout is not retried). */
  batch_retries_max: 5,
  /**
   * A movement waiting longer than this in the group-commit queue (behind a stalled database) is
   * refused with NO_DISPONIBLE before it runs, so a stall never becomes an unbounded wait.
   */
  batch_queue_wait_ms: 5000,
  /**
   * MySQL: server-side wait for a row lock (`innodb_lock_wait_timeout`) and for a table or metadata
   * lock (`lock_wait_timeout`, e.g. behind `FLUSH TABLES WITH READ LOCK`), per session, in seconds.
   */
  db_lock_wait_s: 2,
  /**
   * MySQL: a statement with no answer for this long fails on the client and its connection is
   * dropped (a server that stopped answering, a dead network). Above `db_lock_wait_s`, so a lock
   * wait normally ends with the server's own error first.
   */
  db_query_timeout_ms: 4000,
  /** MySQL: opening one connection (TCP + handshake). */
  db_connect_timeout_ms: 4000,
  /** MySQL: waiting for a free pool connection. */
  db_acquire_timeout_ms: 4000,
  /** MySQL: requests waiting for a free pool connection; past it they fail at once with NO_DISPONIBLE. */
  db_pool_queue_max: 1000,
  /** Largest amount in one operation, in cents (default 1,000,000.00). */
  amount_cents_max: 100_000_000,
  /** Largest balance an account may hold, in cents: DECIMAL(15,2). */
  balance_cents_max: 999_999_999_999_999,
  /** Balance under which a withdrawal or outgoing transfer raises a LOW_BALANCE alert (100.00). */
  low_balance_cents: 10_000,
  /** History rows one request may ask for. */
  history_rows_max: 100,
  /** History rows returned when a request does not say (legacy: 10). */
  history_rows_default: 10,
  /** Wrong PINs in a row before the account locks. */
  pin_failures_max: 5,
  /** PIN checks of one account waiting behind the one running (they run one at a time). */
  pin_checks_waiting_max: 8,
  /**
   * How long a locked account stays locked; also how long a wrong PIN counts: the count starts
   * again from zero once this long passed since the last wrong PIN, or once a lock expired.
   */
  pin_lock_ms: 15 * 60 * 1000,
  /**
   * scrypt hashes (PIN checks, broker logins, new PINs) running at once in one process. Each
   * holds a libuv thread-pool thread (4 by default) for tens of ms; file I/O and the audit log
   * share that pool, so hashing may take at most half of it.
   */
  pin_hash_concurrency_max: 2,
  /** Hashes waiting for a slot, process-wide; past it LIMITE_EXCEDIDO (broker: CONNACK 3). */
  pin_hash_waiting_max: 64,
  /**
   * After the server ended a connection (SALIR, a flood, a long line, shutdown), how long the
   * peer gets to close its side before the socket is destroyed: no half-open socket lingers.
   */
  close_linger_ms: 2000,
  /**
   * Grace period for in-flight requests at shutdown before connections are cut; the rest of the
   * core's stop (outbox flush 2 s) and of the hub's must fit docker's 10 s stop timeout
   * (hub/limits.ts `shutdown_deadline_ms`).
   */
  shutdown_grace_ms: 3000,
} as const;

export type Limits = { -readonly [K in keyof typeof LIMITS]: number };
