/** Bounds of the hub's own machinery (not the core's or the broker's); units last in each name. */
export const HUB_LIMITS = {
  /**
   * How often an insecure set-up (BANCO_INSECURE_DEV=on, or legacy text beyond loopback) is
   * logged again after start-up, so it cannot scroll away unseen in a long-running log.
   */
  insecure_warning_interval_ms: 5 * 60 * 1000,
} as const;
