/**
 * PIN hashing is bounded per process (core/ledger/pin.ts): scrypt runs on libuv's thread pool,
 * which file I/O and the audit log share, so a flood of PIN checks — many cédulas, many
 * connections — must neither starve that pool nor queue without end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadCoreConfig } from '../../core/config';
import { createLedger } from '../../core/core-service';
import type { Ledger } from '../../core/ledger/ledger';
import { LIMITS } from '../../core/limits';
import { openSqliteStore } from '../../core/store/sqlite-store';
import type { Store } from '../../core/store/store';
import { fixedClock, tempDir } from '../helpers/core';

const A = '1350509525';
/** Distinct cédulas (no account), so the per-account queue does not serialise them. */
const cedulas = (n: number): string[] => Array.from({ length: n }, (_, i) => String(2_000_000 + i));
/** libuv's thread pool: 4 threads unless UV_THREADPOOL_SIZE says otherwise. */
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
/** A file read on a free thread takes well under a millisecond; queued behind scrypt it takes ~flood/threads × 50 ms. */
const FILE_READ_MS_MAX = 250;
/** Enough to fill every thread of the pool several times over. */
const FLOOD_CHECKS = 24;

describe('the process-wide bound on PIN hashing', () => {
  let dir: string;
  let store: Store;
  let ledger: Ledger;

  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteStore(path.join(dir, 'banco.db'));
    ledger = createLedger(store, loadCoreConfig({ DATA_DIR: dir }), fixedClock());
    expect(await ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar', pin: '4321' })).toMatchObject({ ok: true });
    // The first check of an unknown cédula makes the dummy hash; later ones only verify.
    expect(await ledger.verificarPin('1', '0000')).toMatchObject({ code: 'PIN_INCORRECTO' });
  });

  afterEach(async () => {
    await ledger.idle();
    await store.close();
  });

  it('keeps thread-pool threads free for file reads while a flood of PIN checks runs', async () => {
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(file, 'x'.repeat(1024));
    const flood = cedulas(FLOOD_CHECKS).map((c) => ledger.verificarPin(c, '0000'));
    await new Promise((r) => setImmediate(r)); // every check has reached its hash
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await fs.promises.readFile(file);
      latencies.push(performance.now() - started);
    }
    const results = await Promise.all(flood);
    expect(results.every((r) => !r.ok && r.code === 'PIN_INCORRECTO')).toBe(true);
    expect(POOL_THREADS).toBeGreaterThan(LIMITS.pin_hash_concurrency_max);
    expect(Math.max(...latencies)).toBeLessThan(FILE_READ_MS_MAX);
  });

  it('refuses checks past the waiting bound with LIMITE_EXCEDIDO, without counting a failure', async () => {
    const extra = 10;
    const many = cedulas(LIMITS.pin_hash_concurrency_max + LIMITS.pin_hash_waiting_max + extra);
    const flood = many.map((c) => ledger.verificarPin(c, '0000'));
    await new Promise((r) => setImmediate(r)); // the slots and the wait list are full now
    expect(await ledger.verificarPin(A, '0000')).toEqual({ ok: false, code: 'LIMITE_EXCEDIDO' });
    const results = await Promise.all(flood);
    expect(results.filter((r) => !r.ok && r.code === 'LIMITE_EXCEDIDO')).toHaveLength(extra);
    expect(await store.getPinState(A)).toMatchObject({ fallos: 0, bloqueadoHastaMs: null });
    // Once the flood has drained, checks run again.
    expect(await ledger.verificarPin(A, '4321')).toEqual({ ok: true });
  });
});
