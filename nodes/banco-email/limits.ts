/** Bounds of the banco-email node (STYLE §3). Units are the last word of each name. */
export const EMAIL_LIMITS = {
  /** Mails waiting or in flight; past it a new alert is refused to Catch (queue_full). */
  queue_mails_default: 1_000,
  queue_mails_min: 1,
  queue_mails_max: 100_000,
  /** Mails sent at once over the pooled transport (one SinkQueue batch). */
  batch_mails_max: 4,
  /** Event ids remembered so a redelivered alert is not mailed twice. */
  dedupe_ids: 10_000,
  /** Retry of transient failures: first wait, longest wait, tries per mail. */
  retry_initial_ms: 1_000,
  retry_max_s_default: 60,
  retry_max_s_min: 1,
  retry_max_s_max: 3_600,
  tries_default: 30,
  tries_min: 1,
  tries_max: 1_000,
  /** Throttle: at most one mail per cédula per window (0 = every alert mails). */
  throttle_s_default: 900,
  throttle_s_min: 0,
  throttle_s_max: 86_400,
  /** Cédulas whose window is tracked at once; the oldest is closed (its summary sent) past it. */
  throttle_cedulas_max: 10_000,
  /** How long close() keeps sending queued mails before the rest end with `closed`. */
  close_flush_ms: 8_000,
  /** Recipients of one mail (node setting or msg.to). */
  recipients_max: 50,
  /** Longest subject; longer ones are cut (RFC 5322 §2.1.1 recommends 78-char lines). */
  subject_chars_max: 200,
  /** Longest rendered text or HTML body. */
  body_chars_max: 100_000,
  /** Longest template, and longest value put into one. */
  template_chars_max: 20_000,
  value_chars_max: 200,
} as const;

/** Time zone of the dates in the mails (the bank's, Ecuador). */
export const MAIL_TIME_ZONE = 'America/Guayaquil';

/** Where the pickup folder's mails are addressed when no recipient is configured. */
export const PICKUP_DEFAULT_TO = 'operaciones@localhost';
