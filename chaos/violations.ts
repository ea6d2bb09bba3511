/**
 * Violations found during and after the run, counted by kind, with the first few messages kept
 * so a failure can be read without a debugger.
 */
import { CHAOS_LIMITS } from './limits';

export type ViolationKind =
  | 'negative' // a balance below zero (CONTRACT §2)
  | 'total' // the sum of balances outside what the acknowledged operations allow
  | 'ledger' // history rows that do not add up to the balance, or a malformed movement
  | 'lost' // an acknowledged operation missing from the database
  | 'duplicate' // an operation applied more than once
  | 'phantom' // a movement or event nobody asked for, or a refused operation that committed
  | 'idempotency' // a retry with the same ref answered differently
  | 'version' // an event without its version, or versions not growing per account (CONTRACT §5)
  | 'protocol'; // a reply that breaks CONTRACT §3/§4

export class Violations {
  readonly byKind: Partial<Record<ViolationKind, number>> = {};
  readonly samples: string[] = [];
  total = 0;

  add(kind: ViolationKind, message: string): void {
    this.total++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    if (this.samples.length < CHAOS_LIMITS.violation_samples_max) this.samples.push(`${kind}: ${message}`);
  }

  /** `count` violations of one kind described by one message (e.g. every event lacking a version). */
  addMany(kind: ViolationKind, count: number, message: string): void {
    this.total += count;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + count;
    if (this.samples.length < CHAOS_LIMITS.violation_samples_max) this.samples.push(`${kind}: ${message}`);
  }
}
