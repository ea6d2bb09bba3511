/**
 * Stateless signed sessions: the cookie holds `<payload>.<HMAC-SHA256>`; the payload says whose
 * session it is (`ced`), its id (`sid`), when it was issued and expires, and when the customer was
 * last seen. Any bridge instance with the same secret verifies it without shared memory; the idle
 * timeout is enforced from `seen`, which the server re-signs as the customer acts. Logout revokes
 * `sid` (session-revocations.ts). The CSRF token is derived from `sid`, never stored.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isAccountKey } from '../../core/ledger/cedula';

export interface Session {
  sid: string;
  ced: string;
  /** Issued at, absolute expiry, last seen: epoch ms. */
  iat: number;
  exp: number;
  seen: number;
}

export type SessionCheck = { ok: true; session: Session } | { ok: false; reason: 'missing' | 'forged' | 'expired' | 'idle' };

const SID_BYTES = 18;
/** A cookie is small; anything longer is not ours. */
const TOKEN_CHARS_MAX = 512;

export class SessionSigner {
  constructor(private readonly secret: string, private readonly ttlMs: number, private readonly idleMs: number) {}

  issue(ced: string, nowMs: number): Session {
    return { sid: randomBytes(SID_BYTES).toString('base64url'), ced, iat: nowMs, exp: nowMs + this.ttlMs, seen: nowMs };
  }

  sign(s: Session): string {
    const payload = Buffer.from(JSON.stringify(s)).toString('base64url');
    return `${payload}.${this.mac('session', payload)}`;
  }

  verify(token: string | undefined, nowMs: number): SessionCheck {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const dot = token.indexOf('.');
    if (token.length > TOKEN_CHARS_MAX || dot < 1) return { ok: false, reason: 'forged' };
    const payload = token.slice(0, dot);
    if (!this.equal(token.slice(dot + 1), this.mac('session', payload))) return { ok: false, reason: 'forged' };
    const s = parseSession(payload);
    if (s === null) return { ok: false, reason: 'forged' };
    if (nowMs >= s.exp) return { ok: false, reason: 'expired' };
    if (nowMs - s.seen >= this.idleMs) return { ok: false, reason: 'idle' };
    return { ok: true, session: s };
  }

  /** The CSRF token of a session: the page sends it back in a header; another site cannot read it. */
  csrfToken(s: Session): string {
    return this.mac('csrf', s.sid);
  }

  csrfMatches(s: Session, given: unknown): boolean {
    return typeof given === 'string' && this.equal(given, this.csrfToken(s));
  }

  /**
   * The core's idempotency `ref` for a customer's key: bound to the cédula, so one customer's key
   * can never replay or collide with another's movement (CONTRACT §4: 1–64 chars).
   */
  movementRef(ced: string, clave: string): string {
    return `web-${this.mac('ref', `${ced}:${clave}`).slice(0, 40)}`;
  }

  private mac(purpose: string, data: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${data}`).digest('base64url');
  }

  private equal(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

function parseSession(payload: string): Session | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const s = v as Partial<Session> | null;
  if (s === null || typeof s !== 'object' || typeof s.sid !== 'string' || !isAccountKey(s.ced)) return null;
  if (![s.iat, s.exp, s.seen].every((n) => Number.isSafeInteger(n))) return null;
  return s as Session;
}
