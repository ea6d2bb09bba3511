/**
 * Maps what nodemailer reports into the sink's error classes (nodes/shared/sink/sink-error.ts):
 *
 * - **auth** (never retried): EAUTH / ENOAUTH / EOAUTH2, or reply 530, 534, 535 (RFC 4954 §6).
 * - **transient** (retried with backoff): any 4yz reply (RFC 5321 §4.2.1: "transient negative
 *   completion"), 503 (wrong session state, fine on a new connection — nodemailer's own rule),
 *   and everything that ended the connection rather than refused the mail: ECONNECTION,
 *   ESOCKET, ETIMEDOUT, EDNS, ECONNREFUSED, ECONNRESET, EPROTOCOL, EMAXLIMIT, EABORT.
 * - **permanent** (to Catch at once): any other 5yz reply (the same mail would be refused again),
 *   a certificate the settings do not trust, and unknown errors of the message itself
 *   (EENVELOPE without a reply, EMESSAGE, ECONFIG, ETLS with a certificate code).
 */
import { SinkError } from '../shared/sink/sink-error';

interface NodemailerError {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
}

const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const AUTH_REPLIES = new Set([530, 534, 535]);
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPROTOCOL', 'EMAXLIMIT', 'EABORT']);
/** Node's TLS verification codes: the server's certificate is not trusted by these settings. */
const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

/** A one-line description without secrets: nodemailer messages carry the server's reply, not credentials. */
function describe(err: NodemailerError): string {
  const text = (err.message ?? String(err)).split('\n')[0].slice(0, 300);
  return err.code ? `${err.code}: ${text}` : text;
}

export function classifySmtpError(raw: unknown): SinkError {
  if (raw instanceof SinkError) return raw;
  const err = (typeof raw === 'object' && raw !== null ? raw : { message: String(raw) }) as NodemailerError;
  const reply = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const codes = [err.code, err.originalCode].filter((c): c is string => typeof c === 'string');
  const text = describe(err);
  if (codes.some((c) => AUTH_CODES.has(c)) || (reply !== undefined && AUTH_REPLIES.has(reply))) {
    return new SinkError('auth', `SMTP authentication refused (${text})`, { cause: raw });
  }
  if (reply !== undefined && reply >= 400 && reply < 500) return new SinkError('transient', `SMTP server said try later (${text})`, { cause: raw });
  if (reply === 503) return new SinkError('transient', `SMTP session out of step (${text})`, { cause: raw });
  if (reply !== undefined && reply >= 500 && reply < 600) return new SinkError('permanent', `SMTP server refused the mail (${text})`, { cause: raw });
  if (codes.some((c) => CERT_CODES.test(c)) || CERT_CODES.test(err.message ?? '')) {
    return new SinkError('permanent', `the SMTP server's certificate is not trusted: set a CA file, or tick "allow self-signed" (${text})`, { cause: raw });
  }
  if (codes.some((c) => CONNECTION_CODES.has(c))) return new SinkError('transient', `SMTP server unreachable (${text})`, { cause: raw });
  return new SinkError('permanent', `mail not sent (${text})`, { cause: raw });
}
