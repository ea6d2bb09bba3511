/**
 * Logged-out sessions, until they would have expired anyway. Bounded by `revoked_sessions_max`:
 * past it the oldest logout is forgotten (all sessions share one lifetime, so it expires first).
 * This set lives in this process: see docs/bridge.md "What instances share" for the consequence.
 */
import { BRIDGE_LIMITS } from '../limits';

export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  revoke(sid: string, expMs: number): void {
    this.revoked.set(sid, expMs);
    if (this.revoked.size > BRIDGE_LIMITS.revoked_sessions_max) this.revoked.delete(this.revoked.keys().next().value as string);
  }

  isRevoked(sid: string, nowMs: number): boolean {
    const exp = this.revoked.get(sid);
    if (exp === undefined) return false;
    if (exp <= nowMs) this.revoked.delete(sid);
    return true;
  }
}
