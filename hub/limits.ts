/** Bounds of the hub's own machinery (not the core's or the broker's); units last in each name. */
export const HUB_LIMITS = {
  /**
   * How often an insecure set-up (BANCO_INSECURE_DEV=on, or legacy text beyond loopback) is
   * logged again after start-up, so it cannot scroll away unseen in a long-running log.
   */
  insecure_warning_interval_ms: 5 * 60 * 1000,
  /**
   * From SIGTERM/SIGINT to exit, at most. `docker stop` (and Kubernetes) send SIGTERM, wait 10 s,
   * then SIGKILL: a SIGKILL skips the audit log's last flush and the Node-RED close handlers. The
   * parts' own budgets fit inside (core: in-flight requests `shutdown_grace_ms` 3 s, outbox flush
   * 2 s; then Node-RED's close handlers, then the broker); if they still overrun, the process
   * exits 1 at this bound, naming the part it was waiting for, with 2 s to spare before a SIGKILL.
   */
  shutdown_deadline_ms: 8000,
} as const;
