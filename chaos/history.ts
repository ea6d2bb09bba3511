/**
 * What the clients did, as the checker needs it: every money operation with its unique amount
 * (the key that finds it in the database, since legacy replies carry no transaction id), its
 * outcome as the client saw it, and running sums that bound the total balance at any moment.
 */
import { CHAOS_LIMITS } from './limits';

export type Protocolo = 'json' | 'legacy';
export type Clase = 'deposito' | 'retiro' | 'transferencia';
/**
 * ok: the core acknowledged it. rejected: a ledger rule refused it (nothing committed).
 * unknown: the reply was lost (connection dropped, core killed) or was "service unavailable";
 * only legacy operations may stay unknown, JSON ones retry with their `ref` until they know.
 */
export type Desenlace = 'pending' | 'ok' | 'rejected' | 'unknown';

export interface Operation {
  /** The amount in cents; unique over the run, so it names the operation in the database. */
  montoCents: number;
  protocolo: Protocolo;
  clase: Clase;
  /** The account (deposit, withdrawal) or the origin (transfer). */
  cedula: string;
  destino: string | null;
  ref: string | null;
  desenlace: Desenlace;
  transaccionId: string | null;
  rejectCode: string | null;
}

/** Cents that may have entered (deposits) or left (withdrawals) the bank: issued and acknowledged. */
interface Flow {
  issuedCents: number;
  doneCents: number;
}

export class History {
  readonly operations = new Map<number, Operation>();
  readonly deposits: Flow = { issuedCents: 0, doneCents: 0 };
  readonly withdrawals: Flow = { issuedCents: 0, doneCents: 0 };
  reads = 0;
  private nextAmountCents = 1;

  /**
   * A fresh amount for a new operation: unique in the run (1 cent, 2 cents, …), or, for an
   * overdraft attempt, the same counter above `overdraft_offset_cents`.
   */
  takeAmountCents(overdraft = false): number {
    if (this.nextAmountCents > CHAOS_LIMITS.operations_max) throw new Error(`more than ${CHAOS_LIMITS.operations_max} operations`);
    return (overdraft ? CHAOS_LIMITS.overdraft_offset_cents : 0) + this.nextAmountCents++;
  }

  /** Call before the request's bytes are written: from then on it may be in the database. */
  issue(op: Omit<Operation, 'desenlace' | 'transaccionId' | 'rejectCode'>): Operation {
    const full: Operation = { ...op, desenlace: 'pending', transaccionId: null, rejectCode: null };
    this.operations.set(op.montoCents, full);
    const flow = this.flowOf(full);
    if (flow) flow.issuedCents += op.montoCents;
    return full;
  }

  acknowledge(op: Operation, transaccionId: string | null): void {
    if (op.desenlace === 'ok') return;
    op.desenlace = 'ok';
    op.transaccionId = transaccionId;
    const flow = this.flowOf(op);
    if (flow) flow.doneCents += op.montoCents;
  }

  /** A rule refused it: it never commits, so it leaves the issued sum (the bound gets tighter). */
  reject(op: Operation, code: string): void {
    op.desenlace = 'rejected';
    op.rejectCode = code;
    const flow = this.flowOf(op);
    if (flow) flow.issuedCents -= op.montoCents;
  }

  /** The reply is lost for good: it stays in the issued sum, since it may have committed. */
  lose(op: Operation): void {
    op.desenlace = 'unknown';
  }

  private flowOf(op: Operation): Flow | null {
    if (op.clase === 'deposito') return this.deposits;
    if (op.clase === 'retiro') return this.withdrawals;
    return null; // transfers move money between accounts: the total does not change
  }
}

/**
 * The bounds a consistent read of the total must lie in. Read `before` just before the read and
 * `after` just after: a deposit acknowledged before the read started is in it; one issued after
 * the read ended is not; one in between may or may not be.
 */
export interface FlowMark {
  depositsDone: number;
  depositsIssued: number;
  withdrawalsDone: number;
  withdrawalsIssued: number;
}

export function markFlows(history: History): FlowMark {
  return {
    depositsDone: history.deposits.doneCents,
    depositsIssued: history.deposits.issuedCents,
    withdrawalsDone: history.withdrawals.doneCents,
    withdrawalsIssued: history.withdrawals.issuedCents,
  };
}

export function totalBounds(initialCents: number, before: FlowMark, after: FlowMark): { minCents: number; maxCents: number } {
  return {
    minCents: initialCents + before.depositsDone - after.withdrawalsIssued,
    maxCents: initialCents + after.depositsIssued - before.withdrawalsDone,
  };
}
