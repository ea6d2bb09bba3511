/**
 * Storage, split along the data flow into the parts its consumers use:
 * - `LedgerTransactions`: the ledger's transaction (accounts, movements, outbox rows written in
 *   the same commit, idempotency keys) and the ledger's reads;
 * - `PinAttempts`: the PIN lockout state (CONTRACT: PIN lockout);
 * - `OutboxQueue`: the relay's side of the outbox (claim, mark sent, release, prune);
 * - `RelayLease`: which core instance runs the relay.
 * SQLite (core/store/sqlite/) and MySQL/MariaDB (core/store/mysql/) implement every part; one
 * contract suite per part (test/store/*-contract.ts) runs against both. The store never runs the
 * ledger rules itself: the ledger passes them in (`BatchRules`), so core/store imports only
 * ledger types.
 */
import type { PinIntentos, PinReserva } from '../ledger/pin-lock';
import type { Cambios, Cuenta, Instantanea, Movimiento, Operacion, PinEstado, Resultado } from '../ledger/types';

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

/** Unsent outbox rows and when the oldest was committed. */
export interface OutboxBacklog {
  rows: number;
  oldestCreado: string | null;
}

/** The ledger rules a batch runs inside the store's transaction (core/ledger/apply-batch.ts). */
export interface BatchRules {
  /** The accounts and refs to read (and lock) before the rules run, sorted: the lock order. */
  keys(ops: readonly Operacion[]): { cuentas: string[]; refs: string[] };
  /** The rules over the locked snapshot: each operation's answer and what to write. */
  apply(snapshot: Instantanea, ops: readonly Operacion[]): { resultados: Resultado[]; cambios: Cambios };
}

/** The ledger's transaction and reads. */
export interface LedgerTransactions {
  /** Inserts the accounts only when there are none; true when it did. */
  seedIfEmpty(accounts: readonly SeedAccount[], fecha: string): Promise<boolean>;
  /**
   * One database transaction: lock and read what `rules.keys(ops)` names, run `rules.apply`,
   * write the changes (balances, history, outbox rows, idempotency keys), commit. Retries its own
   * lock conflicts.
   */
  commitBatch(ops: readonly Operacion[], rules: BatchRules): Promise<Resultado[]>;
  getAccount(cedula: string): Promise<Cuenta | null>;
  history(cedula: string, limit: number): Promise<Movimiento[]>;
  countTransactions(): Promise<number>;
  /** Deletes up to `limit` idempotency keys stored before `fecha` ('YYYY-MM-DD HH:MM:SS'); returns how many went. */
  pruneIdempotency(fecha: string, limit: number): Promise<number>;
}

/** The PIN lockout rule over one cédula's stored attempt state (null: none yet). */
export type PinAttemptRule = (current: PinIntentos | null) => PinReserva;

/** PIN attempt state per cédula. */
export interface PinAttempts {
  /** The account's PIN hash and its attempt state; null when no account has that cédula. */
  getPinState(cedula: string): Promise<PinEstado | null>;
  /**
   * Reserves one PIN attempt for a cédula — with or without an account — before the (slow) check:
   * reads its attempt state under lock, runs `rule` (the ledger's, core/ledger/pin-lock.ts: count
   * the attempt as a failure up front, lock at the limit) and stores what it returns, atomically.
   * Refused (`reserved: false`) while locked, so parallel guesses from any number of processes
   * cannot outrun the lock. A correct PIN then clears the count with `resetPinFailures`.
   */
  reservePinAttempt(cedula: string, rule: PinAttemptRule): Promise<{ reserved: boolean; fallos: number }>;
  resetPinFailures(cedula: string): Promise<void>;
  /** Deletes up to `limit` attempt states that expired before `nowMs`; returns how many went. */
  prunePinAttempts(nowMs: number, limit: number): Promise<number>;
}

/** The relay's side of the outbox: rows are appended by `commitBatch`, in the ledger's commit. */
export interface OutboxQueue {
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
  countOutboxPending(): Promise<number>;
  /**
   * The relay's lag, for /metrics and /health (core/metrics/): unsent rows, and `creado` of the
   * oldest of them ('YYYY-MM-DD HH:MM:SS', the ledger clock's local time; null when none).
   */
  outboxBacklog(): Promise<OutboxBacklog>;
  /** Deletes up to `limit` rows sent before `sentBeforeMs`; returns how many went. */
  pruneOutbox(sentBeforeMs: number, limit: number): Promise<number>;
}

/** The relay leader lease: one row, one holder. */
export interface RelayLease {
  /**
   * Takes or renews the relay leader lease for `instance` until the store's clock + `leaseMs`:
   * granted when the lease is free, expired, or already `instance`'s (a restarted instance takes
   * its own lease back at once). The store's clock decides (MySQL: the server's), so the hosts'
   * clocks need not agree.
   */
  acquireRelayLease(instance: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up (clean shutdown), so a stand-by takes over at its next heartbeat. */
  releaseRelayLease(instance: string): Promise<void>;
}

/** One opened database: its lifecycle and every part. */
export interface Store extends LedgerTransactions, PinAttempts, OutboxQueue, RelayLease {
  readonly kind: 'sqlite' | 'mysql';
  /** Applies pending versioned migrations; safe to run from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
