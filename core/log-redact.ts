/**
 * What never reaches a log line (STYLE principle 11, docs/logging.md): values under secret-looking
 * keys at any depth, the user:password part of URLs (connection strings), and — wherever they
 * appear in free text, such as Node-RED's own messages — the literal values of this process's
 * secret settings.
 */
export const REDACTED = '[redacted]';
/** A field whose name matches is replaced whole, at any depth. */
const SECRET_KEY = /pass|secret|token|pin|key|credential|authorization|cookie|connection_?string|sas|signature/i;
/** Settings whose name says password outright are scrubbed from text whatever their length. */
const PASSWORD_KEY = /pass(word)?$|_pw$/i;
/** Objects nested deeper are logged as '[truncated]': bounds the walk, and nothing unwalked is printed. */
const DEPTH_MAX = 4;
/** Shorter settings values are not scrubbed from text: "on" or "1" would redact every line (passwords excepted). */
const SECRET_VALUE_CHARS_MIN = 8;
/** Shortest password value scrubbed from text (shorter ones would redact common words). */
const PASSWORD_VALUE_CHARS_MIN = 4;
/**
 * scheme://user:password@host → scheme://***@host, and the same for user-only URLs. The password
 * may hold '/' or '@' (up to the last '@' before the host); a user alone holds neither.
 */
const URL_CREDENTIALS = /\/\/(?:[^@/\s:]*:[^\s]*@|[^@/\s:]*@)(?=[^@\s]*(?:\s|$))/g;
/** Key=value secrets inside connection strings and signed URLs (Azure SharedAccessKey, SAS sig). */
const INLINE_SECRETS = /(SharedAccessKey|SharedAccessSignature|sig|AccountKey|password|pwd)=([^;&\s]+)/gi;

/** Strips user:password@ from URLs before they reach a log or an error message. */
export function safeUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, '//***@').replace(INLINE_SECRETS, (_m, name: string) => `${name}=${REDACTED}`);
}

/** The values of secret-looking settings (BANCO_CORE_TOKEN, BANCO_MQTT_PASSWORD, …), longest first. */
export function secretValuesOf(env: Record<string, string | undefined>): string[] {
  const values = Object.entries(env)
    .filter(([k, v]) => SECRET_KEY.test(k) && typeof v === 'string' && v.length >= (PASSWORD_KEY.test(k) ? PASSWORD_VALUE_CHARS_MIN : SECRET_VALUE_CHARS_MIN))
    .map(([, v]) => v as string);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

export function scrubText(text: string, secrets: readonly string[]): string {
  let out = safeUrl(text);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message, secrets), code: (value as { code?: unknown }).code };
  if (value === null || typeof value !== 'object') return value;
  if (depth >= DEPTH_MAX) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, secrets, depth + 1);
  return out;
}
