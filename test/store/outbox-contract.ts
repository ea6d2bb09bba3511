/**
 * The relay's side on every store (core/store/store.ts `OutboxQueue`, `RelayLease`): claim, mark
 * sent, release, reset claims, prune, and the leader lease.
 */
import { deriveInstanceId, INSTANCE_ID_CHARS_MAX } from '../../core/outbox/instance-id';
import { A, ok } from './contract-fixture';
import type { Ledger } from '../../core/ledger/ledger';
import type { Store } from '../../core/store/store';
import { openForEachTest, type StoreFactory } from './contract-fixture';

export function outboxContract(name: string, factory: StoreFactory): void {
  describe(`${name} outbox and relay lease contract`, () => {
    let store: Store;
    let ledger: Ledger;
    openForEachTest(factory, (opened) => ({ store, ledger } = opened), () => ({ store, ledger }));

    it('lets one owner claim outbox rows at a time and releases them once sent or when the lease expires', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      const now = Date.now();
      const first = await store.claimOutbox('one', 2, 1000, now);
      expect(first).toHaveLength(2);
      const second = await store.claimOutbox('two', 10, 1000, now);
      expect(second.map((r) => r.seq)).toEqual([first[1].seq + 1]);
      await store.markOutboxSent(first.map((r) => r.seq), now);
      expect(await store.countOutboxPending()).toBe(1);
      expect(await store.claimOutbox('two', 10, 1000, now)).toEqual([]); // its own live claim too
      const takeover = await store.claimOutbox('three', 10, 1000, now + 5000);
      expect(takeover.map((r) => r.seq)).toEqual(second.map((r) => r.seq));
      await store.releaseOutbox('two', takeover.map((r) => r.seq)); // not two's claim any more: no effect
      expect(await store.claimOutbox('four', 10, 1000, now + 5000)).toEqual([]);
      await store.releaseOutbox('three', takeover.map((r) => r.seq));
      expect((await store.claimOutbox('four', 10, 1000, now + 5000)).map((r) => r.seq)).toEqual(second.map((r) => r.seq));
    });

    it('claims, gives back and marks outbox rows for an instance on a 60-character hostname', async () => {
      // Cloud VM names are this long; the owner must still fit reclamado_por VARCHAR(64).
      const owner = deriveInstanceId({ hostname: `vm-${'a'.repeat(57)}`, corePort: '5000', dataDir: '/var/lib/banco', database: 'db.internal:3306/banco' });
      expect(owner.length).toBeLessThanOrEqual(INSTANCE_ID_CHARS_MAX);
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      const now = Date.now();
      const claimed = await store.claimOutbox(owner, 10, 60_000, now);
      expect(claimed).toHaveLength(3);
      await store.releaseOutbox(owner, [claimed[2].seq]);
      await store.markOutboxSent(claimed.slice(0, 2).map((r) => r.seq), now);
      expect((await store.claimOutbox(owner, 10, 60_000, now)).map((r) => r.seq)).toEqual([claimed[2].seq]);
      expect(await store.acquireRelayLease(owner, 5000)).toBe(true);
    });

    it('grants the relay leader lease to one instance at a time, at once to the holder again, to another once given up', async () => {
      expect(await store.acquireRelayLease('uno', 60_000)).toBe(true);
      expect(await store.acquireRelayLease('dos', 60_000)).toBe(false);
      expect(await store.acquireRelayLease('uno', 60_000)).toBe(true); // renewal, or the same instance restarted
      await store.releaseRelayLease('dos'); // not the holder: no effect
      expect(await store.acquireRelayLease('dos', 60_000)).toBe(false);
      await store.releaseRelayLease('uno');
      expect(await store.acquireRelayLease('dos', 60_000)).toBe(true);
    });

    it('lets a relay leader take over an expired lease and clear its predecessor\'s claims', async () => {
      expect(await store.acquireRelayLease('uno', 1)).toBe(true);
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      const held = await store.claimOutbox('uno', 10, 60_000, Date.now());
      expect(held).toHaveLength(3);
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.acquireRelayLease('dos', 60_000)).toBe(true);
      expect(await store.claimOutbox('dos', 10, 60_000, Date.now())).toEqual([]); // still under uno's claim
      expect(await store.resetOutboxClaims()).toBe(3);
      expect((await store.claimOutbox('dos', 10, 60_000, Date.now())).map((r) => r.seq)).toEqual(held.map((r) => r.seq));
    });

    it('claims nothing for an instance while another holds a live leader lease, and again once it leads', async () => {
      // Found by review: a leader that lost its lease during a slow round trip could still claim
      // and publish older rows after the new leader's newer ones.
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      expect(await store.acquireRelayLease('nuevo', 60_000)).toBe(true);
      expect(await store.claimOutbox('viejo', 10, 60_000, Date.now())).toEqual([]);
      expect(await store.claimOutbox('nuevo', 10, 60_000, Date.now())).toHaveLength(3);
    });

    it('prunes only rows sent before the cutoff, at most `limit` a pass, never an unsent row', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      const now = Date.now();
      const rows = await store.claimOutbox('uno', 10, 60_000, now);
      expect(rows).toHaveLength(3);
      await store.markOutboxSent(rows.slice(0, 2).map((r) => r.seq), now);
      expect(await store.pruneOutbox(now, 10)).toBe(0); // sent at the cutoff, not before it
      expect(await store.pruneOutbox(now + 1, 1)).toBe(1);
      expect(await store.pruneOutbox(now + 1, 10)).toBe(1);
      expect(await store.pruneOutbox(now + 1, 10)).toBe(0);
      expect(await store.countOutboxPending()).toBe(1);
    });

    it('measures the backlog as the unsent rows and the commit time of the oldest, and none once all are sent', async () => {
      expect(await store.outboxBacklog()).toEqual({ rows: 0, oldestCreado: null });
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      // The contract ledger's clock stands at 2026-01-15T10:30:00 local time (contract-fixture.ts).
      expect(await store.outboxBacklog()).toEqual({ rows: 3, oldestCreado: '2026-01-15 10:30:00' });
      const rows = await store.claimOutbox('uno', 10, 60_000, Date.now());
      await store.markOutboxSent([rows[0].seq], Date.now());
      expect(await store.outboxBacklog()).toEqual({ rows: 2, oldestCreado: '2026-01-15 10:30:00' });
      await store.markOutboxSent(rows.slice(1).map((r) => r.seq), Date.now());
      expect(await store.outboxBacklog()).toEqual({ rows: 0, oldestCreado: null });
    });
  });
}
