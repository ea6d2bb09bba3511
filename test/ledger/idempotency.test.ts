/**
 * An idempotency key names one attempt and its final answer (docs/architecture.md#idempotency);
 * a retriable answer is not final, so a retry with the same `ref` must run again.
 */
import path from 'node:path';
import { loadCoreConfig } from '../../core/config';
import { createLedger } from '../../core/core-service';
import type { Ledger } from '../../core/ledger/ledger';
import { openSqliteStore } from '../../core/store/sqlite-store';
import type { Store } from '../../core/store/store';
import { fixedClock, tempDir } from '../helpers/core';

const A = '1350509525';
const B = '1712345675';

describe('idempotency keys and retriable answers', () => {
  let store: Store;
  let ledger: Ledger;

  beforeEach(async () => {
    store = openSqliteStore(path.join(tempDir(), 'banco.db'));
    const config = loadCoreConfig({ DATA_DIR: '/tmp/unused' });
    // A balance ceiling of 100.00, so LIMITE_EXCEDIDO is easy to reach and to clear.
    ledger = createLedger(store, { ...config, limits: { ...config.limits, balance_cents_max: 10_000 } }, fixedClock());
    expect(await ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' })).toMatchObject({ ok: true });
    expect(await ledger.crear({ cedula: B, nombres: 'Ana', apellidos: 'López' })).toMatchObject({ ok: true });
  });

  afterEach(async () => {
    await ledger.idle();
    await store.close();
  });

  it('runs a deposit again when its ref was first answered LIMITE_EXCEDIDO and the limit has cleared', async () => {
    expect(await ledger.depositar({ cedula: A, monto: '90' })).toMatchObject({ ok: true });
    expect(await ledger.depositar({ cedula: A, monto: '20', ref: 'reintento-1' })).toMatchObject({ ok: false, code: 'LIMITE_EXCEDIDO' });
    expect(await ledger.retirar({ cedula: A, monto: '50' })).toMatchObject({ ok: true, saldo_nuevo: 4000 });
    const retry = await ledger.depositar({ cedula: A, monto: '20', ref: 'reintento-1' });
    expect(retry).toMatchObject({ ok: true, saldo_nuevo: 6000 });
    // Now the answer is final: a replay returns it and moves nothing.
    expect(await ledger.depositar({ cedula: A, monto: '20', ref: 'reintento-1' })).toEqual(retry);
    expect(await store.getAccount(A)).toMatchObject({ saldo: 6000 });
  });

  it('runs a transfer again when its ref was first answered LIMITE_EXCEDIDO for the destination', async () => {
    expect(await ledger.depositar({ cedula: A, monto: '50' })).toMatchObject({ ok: true });
    expect(await ledger.depositar({ cedula: B, monto: '80' })).toMatchObject({ ok: true });
    expect(await ledger.transferir({ origen: A, destino: B, monto: '30', ref: 't-1' })).toMatchObject({ ok: false, code: 'LIMITE_EXCEDIDO', cuenta: 'destino' });
    expect(await ledger.retirar({ cedula: B, monto: '80' })).toMatchObject({ ok: true });
    expect(await ledger.transferir({ origen: A, destino: B, monto: '30', ref: 't-1' })).toMatchObject({ ok: true, saldo_origen: 2000, saldo_destino: 3000 });
  });

  it('still keeps a final refusal such as SALDO_INSUFICIENTE for its ref', async () => {
    expect(await ledger.retirar({ cedula: A, monto: '10', ref: 'sin-fondos' })).toMatchObject({ ok: false, code: 'SALDO_INSUFICIENTE' });
    expect(await ledger.depositar({ cedula: A, monto: '50' })).toMatchObject({ ok: true });
    expect(await ledger.retirar({ cedula: A, monto: '10', ref: 'sin-fondos' })).toMatchObject({ ok: false, code: 'SALDO_INSUFICIENTE', saldo: 0 });
  });
});
