/** The relay leader lease: one leader at a time, hand-over on stop or expiry, never two at once. */
import path from 'node:path';
import { silentLogger } from '../../core/log';
import { LeaderLease } from '../../core/outbox/leader-lease';
import { openSqliteStore } from '../../core/store/sqlite-store';
import { tempDir } from '../helpers/core';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
  return Date.now() - started;
}

describe('relay leader lease', () => {
  it('has one leader among two instances, and hands over at the next heartbeat when the leader stops', async () => {
    const file = path.join(tempDir(), 'banco.db');
    const stores = [openSqliteStore(file), openSqliteStore(file)];
    const [a, b] = stores.map((store, i) => new LeaderLease(store, { instance: `core-${i}`, leaseMs: 2000, heartbeatMs: 200 }, silentLogger));
    try {
      await a.start();
      await b.start();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      await sleep(600); // renewals keep it so
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      await a.stop();
      expect(await until(() => b.isLeader, 1000)).toBeLessThan(400);
      expect(b.term).toBe(1);
    } finally {
      await a.stop();
      await b.stop();
      for (const s of stores) await s.close();
    }
  });

  it('stops counting itself leader, when it cannot renew, a heartbeat before a stand-by may take over', async () => {
    // A fault we cannot cause otherwise: the database refuses every renewal after the first grant.
    let calls = 0;
    const store = {
      acquireRelayLease: async (): Promise<boolean> => {
        calls += 1;
        if (calls === 1) return true;
        throw new Error('database unavailable');
      },
      releaseRelayLease: async (): Promise<void> => undefined,
    };
    const lease = new LeaderLease(store, { instance: 'core-0', leaseMs: 1000, heartbeatMs: 200 }, silentLogger);
    const grantedAt = Date.now();
    await lease.start();
    expect(lease.isLeader).toBe(true);
    try {
      await until(() => !lease.isLeader, 2000);
      const ledFor = Date.now() - grantedAt;
      expect(ledFor).toBeGreaterThan(500);
      expect(ledFor).toBeLessThan(1000); // lease − heartbeat (800 ms): before anyone may take over
      expect(calls).toBeGreaterThan(1);
    } finally {
      await lease.stop();
    }
  });
});
