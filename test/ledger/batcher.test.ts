/** Group commit's bound on waiting (core/ledger/batcher.ts). */
import { Batcher } from '../../core/ledger/batcher';
import type { Operacion, Resultado } from '../../core/ledger/types';

const op: Operacion = { tipo: 'depositar', cedula: '1350509525', centavos: 100, ref: null };

test('an operation queued behind a stalled commit is refused with NO_DISPONIBLE after queueWaitMaxMs, while the commit still hangs', async () => {
  // A commit that never ends is the stalled database (the real one is in test/store/mysql-faults.test.ts).
  const batcher = new Batcher(() => new Promise<Resultado[]>(() => undefined), { batchMax: 1, queueMax: 10, queueWaitMaxMs: 200, concurrency: 1 });
  void batcher.submit(op); // takes the only slot and hangs
  const started = Date.now();
  await expect(batcher.submit(op)).rejects.toMatchObject({ code: 'NO_DISPONIBLE' });
  expect(Date.now() - started).toBeLessThan(2000);
});
