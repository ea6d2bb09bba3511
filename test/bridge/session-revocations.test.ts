import { BRIDGE_LIMITS } from '../../bridge/limits';
import { SessionRevocations } from '../../bridge/session/session-revocations';

describe('the logout list at its bound', () => {
  it('forgets expired logouts first, then the one expiring soonest — never a later logout that is still valid', () => {
    const r = new SessionRevocations();
    const now = 1_000_000;
    const max = BRIDGE_LIMITS.revoked_sessions_max;
    // The first logout is of a session that expires late; the rest expire sooner.
    r.revoke('late', now + 10_000, now);
    for (let i = 1; i < max; i++) r.revoke(`s${i}`, now + 5_000, now);
    r.revoke('overflow', now + 9_000, now);
    expect(r.isRevoked('late', now)).toBe(true);
    expect(r.isRevoked('overflow', now)).toBe(true);
    expect([...Array(max).keys()].slice(1).filter((i) => !r.isRevoked(`s${i}`, now))).toHaveLength(1);
  });
});
