/** Bounds of the audit log (STYLE §3). Units are the last word of each name. */
export const AUDIT_LIMITS = {
  /** Largest record line; a bigger event is refused (done(err)), a longer line on disk is malformed. */
  record_bytes_max: 1024 * 1024,
  /** Rotate when the current file would grow past this. */
  file_bytes_default: 64 * 1024 * 1024,
  file_bytes_min: 4 * 1024,
  file_bytes_max: 1024 * 1024 * 1024,
  /** Records waiting to be written; past it the event is refused with done(err). */
  queue_records_default: 10_000,
  queue_records_min: 1,
  queue_records_max: 1_000_000,
  /** Records written with one write + one fsync in `batch` durability. */
  batch_records_max: 1_000,
  /** Event ids remembered for idempotence (memory ≈ 100 bytes per id). */
  dedupe_ids_default: 100_000,
  dedupe_ids_min: 1,
  dedupe_ids_max: 2_000_000,
} as const;
