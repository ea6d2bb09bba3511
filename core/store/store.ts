/**
 * Storage behind one interface; SQLite (embedded default) and MySQL/MariaDB implement it, and one
 * contract suite (test/store/store-contract.ts) runs against both.
 */
import type { BatchContext } from '../ledger/apply-batch';
import type { Cuenta, Movimiento, Operacion, PinEstado, Resultado } from '../ledger/types';

export interface SeedAccount extends Cuenta {
  pinHash: string | null;
}

/** A committed event waiting in (or claimed from) the outbox. */
export interface OutboxRow {
  seq: number;
  id: string;
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  payload: string;
}

export interface LedgerStore {
  readonly kind: 'sqlite' | 'mysql';
  /** Applies pending versioned migrations; safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** Inserts the accounts only when there are none; true when it did. */
  seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean>;
  /**
   * One database transaction: lock and read what `ops` touch, apply the ledger rules
   * (`applyBatch` with `ctx`), write the changes (balances, history, outbox rows, idempotency
   * keys), commit. Retries its own lock conflicts.
   */
  commitBatch(ops: readonly Operacion[], ctx: BatchContext): Promise<Resultado[]>;
  getAccount(cedula: string): Promise<Cuenta | null>;
  history(cedula: string, limit: number): Promise<Movimiento[]>;
  countTransactions(): Promise<number>;
  /** The account's PIN hash and its attempt state; null when no account has that cédula. */
  getPinState(cedula: string): Promise<PinEstado | null>;
  /**
   * Reserves one PIN attempt for a cédula — with or without an account — before the (slow) check,
   * atomically, by the rule of core/ledger/pin-lock.ts: counts it as a failure up front and, at
   * `failuresMax`, locks the cédula until `lockUntilMs` (= now + pin_lock_ms, also when the count
   * expires). Refused (`reserved: false`) while locked, so parallel guesses from any number of
   * processes cannot outrun the lock. A correct PIN then clears the count with `resetPinFailures`.
   */
  reservePinAttempt(cedula: string, nowMs: number, failuresMax: number, lockUntilMs: number): Promise<{ reserved: boolean; fallos: number }>;
  resetPinFailures(cedula: string): Promise<void>;
  /** Deletes up to `limit` attempt states that expired before `nowMs`; returns how many went. */
  prunePinAttempts(nowMs: number, limit: number): Promise<number>;
  /**
   * Claims up to `limit` unsent, unclaimed outbox rows in commit order for `owner` for `leaseMs`;
   * rows under a live claim (anyone's, this owner's in-flight rounds included) are skipped, and
   * expired claims are taken over.
   */
  claimOutbox(owner: string, limit: number, leaseMs: number, nowMs: number): Promise<OutboxRow[]>;
  /** Marks rows sent after the broker acknowledged them. */
  markOutboxSent(seqs: readonly number[], nowMs: number): Promise<void>;
  /** Gives `owner`'s claimed rows back (their publish failed), so the next round takes them at once. */
  releaseOutbox(owner: string, seqs: readonly number[]): Promise<void>;
  /**
   * Clears every claim on unsent rows, whoever made it. Only the relay leader claims, so a new
   * leader (or the same instance restarted) calls this once before its first claim: what a
   * crashed predecessor held goes out at once instead of after its claim lease.
   */
  resetOutboxClaims(): Promise<number>;
  /**
   * Takes or renews the relay leader lease for `instance` until the store's clock + `leaseMs`:
   * granted when the lease is free, expired, or already `instance`'s (a restarted instance takes
   * its own lease back at once). The store's clock decides (MySQL: the server's), so the hosts'
   * clocks need not agree.
   */
  acquireRelayLease(instance: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up (clean shutdown), so a stand-by takes over at its next heartbeat. */
  releaseRelayLease(instance: string): Promise<void>;
  countOutboxPending(): Promise<number>;
  /** Deletes up to `limit` rows sent before `sentBeforeMs`; returns how many went. */
  pruneOutbox(sentBeforeMs: number, limit: number): Promise<number>;
  /** Deletes up to `limit` idempotency keys stored before `fecha` ('YYYY-MM-DD HH:MM:SS'); returns how many went. */
  pruneIdempotency(fecha: string, limit: number): Promise<number>;
  close(): Promise<void>;
}
