/**
 * Every bound of the chaos bank test (`npm run chaos -- --core`), in one place. Units are the last
 * word of each name. The run is Jepsen's bank test: clients move money while core processes are
 * killed with SIGKILL; these numbers set its shape and every wait it may do.
 */
export const CHAOS_LIMITS = {
  /** Clients in the load (CONTRACT §3/§4: half speak legacy text, half JSON lines with `ref`). */
  clients: 32,
  /** Accounts the clients move money between; few, so row locks are contended. */
  accounts: 8,
  /** Balance each account starts with, in cents (10,000.00). */
  initial_balance_cents: 1_000_000,
  /** Default length of the load phase; `--duration` overrides it. */
  duration_default_s: 60,
  /** Shortest and longest pause between two SIGKILLs (issue 8: every 2–4 s). */
  kill_interval_min_ms: 2000,
  kill_interval_max_ms: 4000,
  /** A core process that has not logged `core.listening` by then is a harness failure. */
  core_start_timeout_ms: 20_000,
  /** Restart attempts after a kill before the run gives up (e.g. the port is still taken). */
  core_restart_attempts_max: 5,
  /** A request with no reply by then counts as a lost connection (the socket is dropped). */
  reply_timeout_ms: 5000,
  /** Legacy replies carry no newline (CONTRACT §3): the reply is what arrived once the socket is quiet this long. */
  legacy_reply_quiet_ms: 3,
  /** Pause between reconnection attempts while every core is down. */
  reconnect_pause_ms: 100,
  /** Pause before resending a JSON request with the same `ref` after NO_DISPONIBLE or a drop. */
  retry_pause_ms: 50,
  /** After the load stops, how long a JSON client may keep retrying its last `ref` to learn the outcome. */
  resolve_timeout_ms: 30_000,
  /** How often the snapshot reader sums every balance in one database read. */
  snapshot_interval_ms: 250,
  /**
   * After the load stops, how long the outbox may take to reach the subscriber. Bounded on purpose:
   * a relay that leaves a dead process's claims for the whole 30 s lease shows as missing events.
   */
  drain_wait_ms: 15_000,
  /** How often the drain compares the outbox with what the subscriber received. */
  drain_poll_ms: 250,
  /** Violation messages kept for the report (the count is always exact). */
  violation_samples_max: 20,
  /** Missing events quoted in the report (the count is always exact). */
  missing_samples_max: 5,
  /** Last characters of a core's or the broker's stderr kept for a start-up failure message. */
  stderr_tail_chars: 4000,
  /** How often the load timer and the nemesis look whether the run is over. */
  tick_ms: 100,
  /** Operations a client may have issued; a bound on the amount counter (amounts are unique cents). */
  operations_max: 2_000_000,
  /**
   * Share of withdrawals and transfers that ask for more than any account holds, so the run also
   * checks that refused operations (SALDO_INSUFICIENTE) never commit, across kills and retries.
   */
  overdraft_share: 0.1,
  /**
   * Overdraft attempts take amounts from this offset up (500,000.00 + the counter): above every
   * balance in the run, below the amount limit, and apart from the ordinary amounts, so still unique.
   */
  overdraft_offset_cents: 50_000_000,
} as const;
