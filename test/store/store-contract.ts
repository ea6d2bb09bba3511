/**
 * One contract for every Store: the same behaviour on SQLite and MySQL/MariaDB.
 * Each implementation's test file calls `storeContract` with a factory for a fresh, empty store.
 */
import type { Clock } from '../../core/clock';
import { createLedger } from '../../core/core-service';
import { loadCoreConfig } from '../../core/config';
import type { Ledger } from '../../core/ledger/ledger';
import type { Resultado } from '../../core/ledger/types';
import { deriveInstanceId, INSTANCE_ID_CHARS_MAX } from '../../core/outbox/instance-id';
import { pruneIdempotencyKeys } from '../../core/store/maintenance';
import type { Store } from '../../core/store/store';
import { fixedClock } from '../helpers/core';

export interface StoreFactory {
  /** A fresh store on an empty database. */
  create(): Promise<Store>;
  /** The same database opened again (a restart). */
  reopen(): Promise<Store>;
}

/** A clock the test moves by hand (PIN lock expiry), starting where fixedClock() stands. */
function manualClock(iso = '2026-01-15T10:30:00'): Clock & { advance(ms: number): void } {
  let ms = new Date(iso).getTime();
  return { now: () => new Date(ms), advance: (by) => void (ms += by) };
}

const A = '1350509525';
const B = '1712345675';
const C = '0900000019';

type Movement = Extract<Resultado, { transaccion_id: string }>;

function ok(r: Resultado): Movement {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r as Movement;
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    let ledger: Ledger;
    const config = loadCoreConfig({ DATA_DIR: '/tmp/unused' });

    beforeEach(async () => {
      store = await factory.create();
      ledger = createLedger(store, config, fixedClock());
      ok(await ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar', pin: '4321' }));
      ok(await ledger.crear({ cedula: B, nombres: 'Ana', apellidos: 'López' }));
    });

    afterEach(async () => {
      await ledger.idle();
      await store.close();
    });

    it('creates accounts with a zero balance and refuses a second account with the same cédula', async () => {
      expect(await ledger.consulta(A)).toEqual({ ok: true, cuenta: { cedula: A, nombres: 'Stefano', apellidos: 'Aguilar', saldo: 0 } });
      expect(await ledger.crear({ cedula: A, nombres: 'X', apellidos: 'Y' })).toMatchObject({ ok: false, code: 'CLIENTE_YA_EXISTE' });
    });

    it('moves exact cents through deposits, withdrawals and transfers', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '0.10' }));
      ok(await ledger.depositar({ cedula: A, monto: '0.20' }));
      const w = ok(await ledger.retirar({ cedula: A, monto: '0.05' }));
      expect(w).toMatchObject({ saldo_anterior: 30, saldo_nuevo: 25 });
      const t = ok(await ledger.transferir({ origen: A, destino: B, monto: '0.25' }));
      expect(t).toMatchObject({ saldo_origen: 0, saldo_destino: 25 });
      expect((await ledger.consulta(B)).ok && (await ledger.consulta(B))).toMatchObject({ cuenta: { saldo: 25 } });
    });

    it('refuses to overdraw and leaves both balances unchanged', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '10' }));
      expect(await ledger.retirar({ cedula: A, monto: '10.01' })).toEqual({ ok: false, code: 'SALDO_INSUFICIENTE', saldo: 1000 });
      expect(await ledger.transferir({ origen: A, destino: B, monto: '10.01' })).toMatchObject({ ok: false, code: 'SALDO_INSUFICIENTE', cuenta: 'origen' });
      expect(await ledger.transferir({ origen: A, destino: C, monto: '1' })).toMatchObject({ ok: false, code: 'CLIENTE_NO_ENCONTRADO', cuenta: 'destino' });
      expect(await store.getAccount(A)).toMatchObject({ saldo: 1000 });
      expect(await store.getAccount(B)).toMatchObject({ saldo: 0 });
    });

    it('keeps history newest first with the legacy timestamp, both sides of a transfer', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '100' }));
      const t = ok(await ledger.transferir({ origen: A, destino: B, monto: '40' }));
      const ha = await store.history(A, 10);
      expect(ha.map((m) => [m.tipo, m.monto, m.saldo_final])).toEqual([
        ['TRANSFERENCIA_ENVIADA', 4000, 6000],
        ['DEPOSITO', 10000, 10000],
      ]);
      expect(ha[0]).toMatchObject({ fecha: '2026-01-15 10:30:00', transaccion_id: t.transaccion_id, contraparte: B });
      const hb = await store.history(B, 10);
      expect(hb.map((m) => [m.tipo, m.monto, m.saldo_final, m.contraparte])).toEqual([['TRANSFERENCIA_RECIBIDA', 4000, 4000, A]]);
      expect(await store.countTransactions()).toBe(3);
    });

    it('writes the outbox rows of a movement in the same commit, in order, with unique ids', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '150' }));
      ok(await ledger.transferir({ origen: A, destino: B, monto: '100' }));
      const rows = await store.claimOutbox('test', 100, 60_000, Date.now());
      expect(rows.map((r) => [r.topic, r.qos, r.retain])).toEqual([
        ['transacciones', 1, false],
        ['depositos', 1, false],
        [`saldo/${A}`, 1, true],
        ['transacciones', 1, false],
        ['transacciones', 1, false],
        ['transferencias', 1, false],
        [`saldo/${A}`, 1, true],
        [`saldo/${B}`, 1, true],
        ['alertas', 2, false],
      ]);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      for (const r of rows) expect(JSON.parse(r.payload).id).toBe(r.id);
    });

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

    it('gives every event about an account its version: 1 at creation, one more with each change, also within one batch', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '10' }));
      // Submitted in one turn of the event loop: one batch, two changes of A.
      await Promise.all([ledger.depositar({ cedula: A, monto: '1' }), ledger.retirar({ cedula: A, monto: '2' })]);
      ok(await ledger.transferir({ origen: A, destino: B, monto: '5' }));
      const payloads = (await store.claimOutbox('test', 100, 60_000, Date.now())).map((r): Record<string, unknown> => ({ topic: r.topic, ...(JSON.parse(r.payload) as Record<string, unknown>) }));
      const saldoA = payloads.filter((p) => p.topic === `saldo/${A}`).map((p) => p.version);
      expect(saldoA).toEqual([2, 3, 4, 5]);
      expect(payloads.filter((p) => p.topic === 'transacciones' && p.cedula === A).map((p) => p.version)).toEqual([2, 3, 4, 5]);
      expect(payloads.find((p) => p.topic === 'transferencias')).toMatchObject({ version_origen: 5, version_destino: 2 });
      expect(payloads.find((p) => p.topic === `saldo/${B}`)).toMatchObject({ version: 2 });
      // The version is stored: the next batch (and any other process) continues from it.
      ok(await ledger.depositar({ cedula: A, monto: '1' }));
      const next = (await store.claimOutbox('test', 100, 60_000, Date.now())).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
      expect(next.map((p) => p.version)).toEqual([6, 6, 6]);
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

    it('replays an idempotent request with its first result, also after a restart', async () => {
      const first = ok(await ledger.depositar({ cedula: A, monto: '5', ref: 'pago-1' }));
      expect(await ledger.depositar({ cedula: A, monto: '5', ref: 'pago-1' })).toEqual(first);
      expect(await ledger.depositar({ cedula: A, monto: '6', ref: 'pago-1' })).toMatchObject({ ok: false, code: 'REF_CONFLICTO' });
      await ledger.idle();
      await store.close();
      store = await factory.reopen();
      ledger = createLedger(store, config, fixedClock());
      expect(await ledger.depositar({ cedula: A, monto: '5', ref: 'pago-1' })).toEqual(first);
      expect(await store.getAccount(A)).toMatchObject({ saldo: 500 });
      expect(await store.countTransactions()).toBe(1);
    });

    it('treats idempotency keys that differ only in case as different keys', async () => {
      const upper = await ledger.depositar({ cedula: A, monto: '1', ref: 'orden-ABC' });
      const lower = await ledger.depositar({ cedula: A, monto: '2', ref: 'orden-abc' });
      expect(upper).toMatchObject({ ok: true, saldo_nuevo: 100 });
      expect(lower).toMatchObject({ ok: true, saldo_nuevo: 300 });
      expect(await ledger.depositar({ cedula: A, monto: '2', ref: 'orden-abc' })).toEqual(lower);
    });

    it('forgets idempotency keys older than the retention, and only those', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '1', ref: 'viejo' }));
      expect(await pruneIdempotencyKeys(store, 60_000, { now: () => new Date('2026-01-15T10:30:30') })).toBe(0);
      expect(await pruneIdempotencyKeys(store, 60_000, { now: () => new Date('2026-01-15T10:32:00') })).toBe(1);
      // The key is gone: the same ref now runs as a new request.
      expect(await ledger.depositar({ cedula: A, monto: '1', ref: 'viejo' })).toMatchObject({ ok: true, saldo_nuevo: 200 });
    });

    it('answers each request of one batch on its own, duplicates of a ref included', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '10' }));
      const results = await Promise.all([
        ledger.retirar({ cedula: A, monto: '6', ref: 'r1' }),
        ledger.retirar({ cedula: A, monto: '6', ref: 'r2' }),
        ledger.retirar({ cedula: A, monto: '6', ref: 'r1' }),
        ledger.depositar({ cedula: C, monto: '1' }),
        ledger.transferir({ origen: A, destino: B, monto: '4' }),
      ]);
      expect(results[0]).toMatchObject({ ok: true, saldo_nuevo: 400 });
      expect(results[1]).toMatchObject({ ok: false, code: 'SALDO_INSUFICIENTE' });
      expect(results[2]).toEqual(results[0]);
      expect(results[3]).toMatchObject({ ok: false, code: 'CLIENTE_NO_ENCONTRADO' });
      expect(results[4]).toMatchObject({ ok: true, saldo_origen: 0, saldo_destino: 400 });
    });

    it('keeps money moved into an account created earlier in the same batch', async () => {
      ok(await ledger.depositar({ cedula: A, monto: '100' }));
      // Submitted in one turn of the event loop: one batch, one transaction.
      const [created, deposited, transferred] = await Promise.all([
        ledger.crear({ cedula: C, nombres: 'Nuevo', apellidos: 'Cliente' }),
        ledger.depositar({ cedula: C, monto: '150', ref: 'nuevo-1' }),
        ledger.transferir({ origen: A, destino: C, monto: '25' }),
      ]);
      expect(created).toMatchObject({ ok: true });
      expect(deposited).toMatchObject({ ok: true, saldo_nuevo: 15000 });
      expect(transferred).toMatchObject({ ok: true, saldo_origen: 7500, saldo_destino: 17500 });
      expect(await store.getAccount(C)).toMatchObject({ saldo: 17500 });
      expect(await store.getAccount(A)).toMatchObject({ saldo: 7500 });
      expect((await store.history(C, 10)).map((m) => m.saldo_final)).toEqual([17500, 15000]);
    });

    it('stores PINs as salted hashes and locks the account after repeated failures', async () => {
      const state = await store.getPinState(A);
      expect(state?.pinHash).toMatch(/^scrypt\$/);
      expect(state?.pinHash).not.toContain('4321');
      expect(await ledger.verificarPin(A, '4321')).toEqual({ ok: true });
      for (let i = 0; i < 4; i++) expect(await ledger.verificarPin(A, '0000')).toMatchObject({ code: 'PIN_INCORRECTO' });
      expect(await ledger.verificarPin(A, '0000')).toMatchObject({ code: 'CUENTA_BLOQUEADA' });
      expect(await ledger.verificarPin(A, '4321')).toMatchObject({ code: 'CUENTA_BLOQUEADA' });
      expect(await ledger.verificarPin(B, '1234')).toMatchObject({ code: 'PIN_INCORRECTO' });
    });

    it('gives parallel PIN guesses no more tries than the lock allows', async () => {
      // Nine at once (the eight waiting behind the first are the queue's bound), the right PIN last.
      const guesses = Array.from({ length: 9 }, (_, i) => (i === 8 ? '4321' : String(1000 + i)));
      const results = await Promise.all(guesses.map((pin) => ledger.verificarPin(A, pin)));
      expect(results.filter((r) => r.ok === false && r.code === 'PIN_INCORRECTO').length).toBeLessThanOrEqual(4);
      expect(results[8]).toMatchObject({ ok: false, code: 'CUENTA_BLOQUEADA' });
      expect((await store.getPinState(A))?.bloqueadoHastaMs).not.toBeNull();
      // Past the queue's bound a flood is refused outright, without a check.
      const flood = await Promise.all(Array.from({ length: 30 }, () => ledger.verificarPin(A, '0000')));
      expect(flood.filter((r) => r.ok === false && r.code === 'LIMITE_EXCEDIDO').length).toBeGreaterThan(0);
      expect(flood.some((r) => r.ok)).toBe(false);
    });

    it('lets concurrent correct PIN checks of one account all succeed, without locking it', async () => {
      const results = await Promise.all(Array.from({ length: 9 }, () => ledger.verificarPin(A, '4321')));
      expect(results).toEqual(Array.from({ length: 9 }, () => ({ ok: true })));
      expect(await store.getPinState(A)).toMatchObject({ fallos: 0, bloqueadoHastaMs: null });
    });

    describe('PIN lockout', () => {
      const LOCK_MS = config.limits.pin_lock_ms;
      const codes = async (l: Ledger, cedula: string, pin: string, times: number): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < times; i++) {
          const r = await l.verificarPin(cedula, pin);
          out.push(r.ok ? 'OK' : r.code);
        }
        return out;
      };
      const LOCKED_AFTER_FIVE = ['PIN_INCORRECTO', 'PIN_INCORRECTO', 'PIN_INCORRECTO', 'PIN_INCORRECTO', 'CUENTA_BLOQUEADA', 'CUENTA_BLOQUEADA', 'CUENTA_BLOQUEADA'];

      it('starts the failure count again from zero once a lock expired', async () => {
        const clock = manualClock();
        const timed = createLedger(store, config, clock);
        expect(await codes(timed, A, '0000', 5)).toEqual(LOCKED_AFTER_FIVE.slice(0, 5));
        clock.advance(LOCK_MS - 1);
        expect(await codes(timed, A, '4321', 1)).toEqual(['CUENTA_BLOQUEADA']);
        clock.advance(1);
        // One wrong PIN after the lock is one failure, not the sixth in a row.
        expect(await codes(timed, A, '0000', 1)).toEqual(['PIN_INCORRECTO']);
        expect(await codes(timed, A, '4321', 1)).toEqual(['OK']);
      });

      it('never locks an account for one wrong PIN every pin_lock_ms', async () => {
        const clock = manualClock();
        const timed = createLedger(store, config, clock);
        const seen: string[] = [];
        for (let i = 0; i < 8; i++) {
          seen.push(...(await codes(timed, A, '0000', 1)));
          clock.advance(LOCK_MS);
        }
        expect(seen).toEqual(Array.from({ length: 8 }, () => 'PIN_INCORRECTO'));
        expect(await codes(timed, A, '4321', 1)).toEqual(['OK']);
      });

      it('answers an unknown cédula and an account without PIN exactly like an account with one, lock included', async () => {
        const clock = manualClock();
        const timed = createLedger(store, config, clock);
        expect(await codes(timed, A, '0000', 7)).toEqual(LOCKED_AFTER_FIVE);
        expect(await codes(timed, B, '0000', 7)).toEqual(LOCKED_AFTER_FIVE);
        expect(await codes(timed, C, '0000', 7)).toEqual(LOCKED_AFTER_FIVE);
        expect(await codes(timed, '999', '0000', 7)).toEqual(LOCKED_AFTER_FIVE);
        clock.advance(LOCK_MS);
        for (const cedula of [B, C, '999']) expect(await codes(timed, cedula, '0000', 1)).toEqual(['PIN_INCORRECTO']);
      });

      it('keeps one lock for a cédula across two processes sharing the database, unknown cédulas included', async () => {
        const clock = manualClock();
        const second = await factory.reopen();
        try {
          const one = createLedger(store, config, clock);
          const two = createLedger(second, config, clock);
          for (const cedula of [A, C]) {
            const answers = [];
            for (let i = 0; i < 6; i++) answers.push(...(await codes(i % 2 === 0 ? one : two, cedula, '0000', 1)));
            expect(answers).toEqual(LOCKED_AFTER_FIVE.slice(0, 6));
          }
          expect(await codes(two, A, '4321', 1)).toEqual(['CUENTA_BLOQUEADA']);
          expect(await codes(one, A, '4321', 1)).toEqual(['CUENTA_BLOQUEADA']);
          clock.advance(LOCK_MS);
          expect(await codes(two, A, '4321', 1)).toEqual(['OK']);
        } finally {
          await second.close();
        }
      });

      it('prunes only attempt states whose time has passed', async () => {
        const clock = manualClock();
        const timed = createLedger(store, config, clock);
        await codes(timed, C, '0000', 2);
        clock.advance(LOCK_MS / 2);
        await codes(timed, '999', '0000', 1);
        const now = clock.now().getTime();
        expect(await store.prunePinAttempts(now, 100)).toBe(0);
        expect(await store.prunePinAttempts(now + LOCK_MS / 2 + 1, 100)).toBe(1); // C's count expired, 999's not
        clock.advance(LOCK_MS / 2 - 1);
        expect(await codes(timed, '999', '0000', 4)).toEqual(LOCKED_AFTER_FIVE.slice(1, 5));
      });
    });

    it('seeds only an empty database', async () => {
      expect(await store.seedIfEmpty([{ cedula: C, nombres: 'X', apellidos: 'Y', saldo: 100, pinHash: null }], '2026-01-01 00:00:00')).toBe(false);
      expect(await store.getAccount(C)).toBeNull();
    });

    it('runs its migrations again without harm', async () => {
      await store.migrate();
      await store.migrate();
      expect(await store.getAccount(A)).toMatchObject({ cedula: A });
    });
  });
}
