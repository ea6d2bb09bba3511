/**
 * The ledger's transaction on every store (core/store/store.ts `LedgerTransactions`): balances,
 * history, the outbox rows appended in the same commit, idempotency keys, seeding, migrations.
 */
import { createLedger } from '../../core/core-service';
import { pruneIdempotencyKeys } from '../../core/store/maintenance';
import { fixedClock } from '../helpers/core';
import { A, B, C, ok } from './contract-fixture';
import type { Ledger } from '../../core/ledger/ledger';
import type { Store } from '../../core/store/store';
import { CONTRACT_CONFIG, openForEachTest, type StoreFactory } from './contract-fixture';

export function ledgerContract(name: string, factory: StoreFactory): void {
  describe(`${name} ledger transaction contract`, () => {
    let store: Store;
    let ledger: Ledger;
    const config = CONTRACT_CONFIG;
    openForEachTest(factory, (opened) => ({ store, ledger } = opened), () => ({ store, ledger }));

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
