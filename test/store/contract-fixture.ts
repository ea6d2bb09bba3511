/**
 * What the store contracts share: a factory for a fresh store, two accounts to start from, and a
 * clock the test moves by hand. Each implementation's test file (sqlite-store.test.ts,
 * mysql-store.test.ts) runs every contract with its factory.
 */
import type { Clock } from '../../core/clock';
import { createLedger } from '../../core/core-service';
import { loadCoreConfig, type CoreConfig } from '../../core/config';
import type { Ledger } from '../../core/ledger/ledger';
import type { Resultado } from '../../core/ledger/types';
import type { Store } from '../../core/store/store';
import { fixedClock } from '../helpers/core';

export interface StoreFactory {
  /** A fresh store on an empty database. */
  create(): Promise<Store>;
  /** The same database opened again (a restart). */
  reopen(): Promise<Store>;
}

/** A clock the test moves by hand (PIN lock expiry), starting where fixedClock() stands. */
export function manualClock(iso = '2026-01-15T10:30:00'): Clock & { advance(ms: number): void } {
  let ms = new Date(iso).getTime();
  return { now: () => new Date(ms), advance: (by) => void (ms += by) };
}

export const A = '1350509525';
export const B = '1712345675';
export const C = '0900000019';

type Movement = Extract<Resultado, { transaccion_id: string }>;

export function ok(r: Resultado): Movement {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r as Movement;
}

/** A fresh store with A (PIN 4321) and B (no PIN), both at zero. */
export async function openWithTwoAccounts(factory: StoreFactory, config: CoreConfig): Promise<{ store: Store; ledger: Ledger }> {
  const store = await factory.create();
  const ledger = createLedger(store, config, fixedClock());
  ok(await ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar', pin: '4321' }));
  ok(await ledger.crear({ cedula: B, nombres: 'Ana', apellidos: 'López' }));
  return { store, ledger };
}

export async function closeFixture(store: Store, ledger: Ledger): Promise<void> {
  await ledger.idle();
  await store.close();
}

/** The settings every contract runs with (defaults; no file is touched). */
export const CONTRACT_CONFIG = loadCoreConfig({ DATA_DIR: '/tmp/unused' });

export interface Opened {
  store: Store;
  ledger: Ledger;
}

/**
 * Before each test, a fresh store with A and B handed to `set`; after it, closes what `get`
 * returns then (a test may reopen the store, as the restart tests do).
 */
export function openForEachTest(factory: StoreFactory, set: (opened: Opened) => void, get: () => Opened): void {
  beforeEach(async () => set(await openWithTwoAccounts(factory, CONTRACT_CONFIG)));
  afterEach(() => closeFixture(get().store, get().ledger));
}
