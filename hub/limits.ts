/** Bounds of the hub's own machinery (not the core's or the broker's); units last in each name. */
export const HUB_LIMITS = {
  /**
   * How often an insecure set-up (BANCO_INSECURE_DEV=on, or legacy text beyond loopback) is
   * logged again after start-up, so it cannot scroll away unseen in a long-running log.
   */
  insecure_warning_interval_ms: 5 * 60 * 1000,
} as const;

/**
 * Bounds of the supervisor `npm start` runs (hub/supervisor.ts, docs/architecture.md "Processes").
 * A crashed component is restarted after `restart_delay_ms_initial`, doubling per crash up to
 * `restart_delay_ms_max`; more than `restarts_max` crashes within `restart_window_ms` and the
 * component "cannot be kept up": the supervisor stops the rest and exits 1.
 */
export const SUPERVISOR_LIMITS = {
  /** A component must report ready within this time (Node-RED loading its flows is the slow one). */
  start_timeout_ms: 60_000,
  restart_delay_ms_initial: 250,
  restart_delay_ms_max: 30_000,
  restarts_max: 5,
  /** Crashes older than this no longer count towards `restarts_max`. */
  restart_window_ms: 5 * 60 * 1000,
  /**
   * One component's own orderly stop (the core flushes its outbox for up to 5 s) before SIGKILL.
   * The whole stop is bounded by `stop_total_ms_max` too, so it fits a container's 10 s stop timeout.
   */
  child_stop_timeout_ms: 6_000,
  stop_total_ms_max: 9_000,
  /** Always granted to a component's stop, even when the total is spent: SIGTERM, then SIGKILL. */
  child_stop_timeout_ms_min: 500,
  /** A longer line of a component's output is cut there (a runaway print cannot fill memory). */
  output_line_chars_max: 16 * 1024,
} as const;
