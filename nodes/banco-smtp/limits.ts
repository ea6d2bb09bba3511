/** Bounds of the SMTP connection (STYLE §3). Units are the last word of each name. */
export const SMTP_LIMITS = {
  /** Pooled connections per banco-smtp node (nodemailer pool `maxConnections`). */
  connections_default: 2,
  connections_min: 1,
  connections_max: 10,
  /** Mails per minute per banco-smtp node (nodemailer `rateLimit` over `rateDelta`); past it sending waits. */
  mails_per_minute_default: 60,
  mails_per_minute_min: 1,
  mails_per_minute_max: 6_000,
  rate_window_ms: 60_000,
  /** Mails one pooled connection sends before it is replaced (nodemailer `maxMessages`). */
  mails_per_connection_max: 100,
  /** TCP connect, server greeting and idle-socket timeouts: a dead server fails a try instead of hanging it. */
  connect_timeout_ms: 10_000,
  greeting_timeout_ms: 10_000,
  socket_timeout_ms: 60_000,
  /** A pooled connection unused this long is closed. */
  idle_timeout_ms: 60_000,
  /** Files in the pickup folder are named by time and event id; ids are cut to this length. */
  pickup_name_chars_max: 80,
  /** `.eml` files kept in the pickup folder; past it the oldest are deleted (it is a development inbox, not an archive). */
  pickup_files_max: 10_000,
  /** The folder is pruned on the first write and then every this many writes. */
  pickup_prune_every_writes: 50,
} as const;

/** Default ports per security mode (RFC 8314: 465 implicit TLS; RFC 6409: 587 submission + STARTTLS). */
export const SMTP_PORTS = { tls: 465, starttls: 587, plain: 25 } as const;
