/**
 * Logged-out sessions, until they would have expired anyway. Bounded by `revoked_sessions_max`:
 * past it the expired entries are dropped, and if it is still full, the entry that expires
 * soonest (logout order is not expiry order: a session logged out late may have started early).
 * This set lives in this process: see docs/bridge.md "What instances share" for the consequence.
 */
import { BRIDGE_LIMITS } from '../limits';

export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  revoke(sid: string, expMs: number, nowMs: number = Date.now()): void {
    this.revoked.set(sid, expMs);
    if (this.revoked.size <= BRIDGE_LIMITS.revoked_sessions_max) return;
    for (const [id, exp] of this.revoked) if (exp <= nowMs) this.revoked.delete(id);
    if (this.revoked.size <= BRIDGE_LIMITS.revoked_sessions_max) return;
    let soonest: [string, number] | null = null;
    for (const entry of this.revoked) if (soonest === null || entry[1] < soonest[1]) soonest = entry;
    this.revoked.delete(soonest![0]);
  }

  isRevoked(sid: string, nowMs: number): boolean {
    const exp = this.revoked.get(sid);
    if (exp === undefined) return false;
    if (exp <= nowMs) this.revoked.delete(sid);
    return true;
  }
}
