/**
 * PIN attempt state on every store (core/store/store.ts `PinAttempts`; CONTRACT: PIN lockout).
 */
import { createLedger } from '../../core/core-service';
import { A, B, C, manualClock } from './contract-fixture';
import type { Ledger } from '../../core/ledger/ledger';
import type { Store } from '../../core/store/store';
import { CONTRACT_CONFIG, openForEachTest, type StoreFactory } from './contract-fixture';

export function pinContract(name: string, factory: StoreFactory): void {
  describe(`${name} PIN attempts contract`, () => {
    let store: Store;
    let ledger: Ledger;
    const config = CONTRACT_CONFIG;
    openForEachTest(factory, (opened) => ({ store, ledger } = opened), () => ({ store, ledger }));

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
  });
}
