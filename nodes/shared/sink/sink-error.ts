/**
 * The one error type of the sink nodes (STYLE §5): a fixed code, whether retrying can help, and
 * the transport's own error as the cause. Transports throw it (or return it per item); anything
 * else they throw goes through their `classify` first.
 */
export type SinkErrorCode =
  /** The remote side could not be reached or answered "try later" (SMTP 4xx, broker down, timeout). */
  | 'transient'
  /** The remote side refused this item for good (SMTP 5xx, message too large, invalid input). */
  | 'permanent'
  /** Credentials refused: permanent until someone changes the settings. */
  | 'auth'
  /** The queue held `queueMax` items; the newest is refused (the overflow policy). */
  | 'queue_full'
  /** The node is closing; items still queued when the flush time ran out end with this. */
  | 'closed'
  /** A transient failure repeated `attemptsMax` times. */
  | 'attempts_exhausted'
  /** The message cannot be turned into something to send (no cédula, bad payload). */
  | 'bad_input';

const RETRIABLE: ReadonlySet<SinkErrorCode> = new Set(['transient']);

export class SinkError extends Error {
  readonly retriable: boolean;

  constructor(readonly code: SinkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.retriable = RETRIABLE.has(code);
  }
}

export function isSinkError(err: unknown): err is SinkError {
  return err instanceof SinkError;
}
