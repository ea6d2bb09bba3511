/**
 * The ledger's front door. It validates domain input once (cédula, amount, names, PIN, ref), then
 * sends money movements through the group-commit batcher and reads straight from the store.
 * Both protocols (legacy text, JSON lines) and the bridge call only this.
 */
import { randomUUID } from 'node:crypto';
import { formatLegacyTimestamp, type Clock } from '../clock';
import { HubError } from '../errors';
import type { LedgerTransactions, PinAttempts } from '../store/store';
import { batchRules } from './apply-batch';
import { Batcher, type BatcherOptions } from './batcher';
import { isAccountKey, isValidCedula } from './cedula';
import { parseAmount } from './money';
import { hashPin, PIN_PATTERN, withPinHashing } from './pin';
import { reservePinAttempt } from './pin-lock';
import type { Cuenta, Movimiento, Operacion, Rechazo, Resultado } from './types';

export interface LedgerOptions {
  amountCentsMax: number;
  balanceCentsMax: number;
  lowBalanceCents: number;
  historyRowsMax: number;
  historyRowsDefault: number;
  pinFailuresMax: number;
  pinLockMs: number;
  pinChecksWaitingMax: number;
  batch: BatcherOptions;
  /** Called with the batch's results after every commit that wrote outbox rows (the relay wakes on it; /metrics counts them). */
  onCommitted?: (results: readonly Resultado[]) => void;
}

export type Consulta = { ok: true; cuenta: Cuenta } | Rechazo;
export type Historial = { ok: true; cedula: string; movimientos: Movimiento[] } | Rechazo;
export type VerificacionPin = { ok: true } | Rechazo;

const NAME_MAX_CHARS = 100;
const REF_MAX_CHARS = 64;
/**
 * Names end up inside legacy `|`-separated replies, terminals and log lines, so they may not hold:
 * `|`; control characters (Cc: C0 incl. tab and CR, DEL, and C1 — U+009B is a terminal's CSI);
 * format characters (Cf: bidirectional overrides and isolates, zero-width space/joiners, BOM);
 * line and paragraph separators (Zl, Zp); lone surrogates (Cs, not UTF-8 encodable) and U+FFFD,
 * which is what bytes that were not UTF-8 decode to on a legacy line.
 */
const NAME_FORBIDDEN = /[|\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD]/u;
const REF_PATTERN = /^[\u0021-\u007e]{1,64}$/;

const reject = (code: Rechazo['code'], extra: Omit<Rechazo, 'ok' | 'code'> = {}): Rechazo => ({ ok: false, code, ...extra });

function cleanName(value: unknown): string | null {
  if (typeof value !== 'string' || NAME_FORBIDDEN.test(value)) return null;
  // Only spaces are left to tidy (a tab or CR was refused above, not turned into a space).
  const name = value.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > NAME_MAX_CHARS) return null;
  return name;
}

/** undefined/null → no key; a string of 1–64 printable ASCII characters → the key; else invalid. */
function parseRef(value: unknown): { ok: true; ref: string | null } | Rechazo {
  if (value === undefined || value === null) return { ok: true, ref: null };
  if (typeof value === 'string' && value.length <= REF_MAX_CHARS && REF_PATTERN.test(value)) return { ok: true, ref: value };
  return reject('PARAMETRO_INVALIDO', { campo: 'ref' });
}

export class Ledger {
  private readonly batcher: Batcher;
  private dummyHash: Promise<string> | null = null;
  private commits = 0;
  /** Per account: the last PIN check queued, and how many are running or waiting. */
  private readonly pinChecks = new Map<string, { tail: Promise<void>; pending: number }>();

  constructor(
    private readonly store: LedgerTransactions & PinAttempts,
    private readonly clock: Clock,
    private readonly options: LedgerOptions,
  ) {
    this.batcher = new Batcher((ops) => this.commit(ops), options.batch);
  }

  private async commit(ops: readonly Operacion[]): Promise<Resultado[]> {
    const now = this.clock.now();
    const rules = batchRules({
      timestamp: now.toISOString(),
      fecha: formatLegacyTimestamp(now),
      lowBalanceCents: this.options.lowBalanceCents,
      balanceCentsMax: this.options.balanceCentsMax,
    });
    const results = await this.store.commitBatch(ops, rules);
    this.commits++;
    // Every successful money movement wrote outbox rows (account creation writes none).
    if (results.some((r) => r.ok && r.tipo !== 'crear')) this.options.onCommitted?.(results);
    return results;
  }

  /** Batches this process committed so far (lets readers tell when cached figures went stale). */
  get commitCount(): number {
    return this.commits;
  }

  /** Operations queued or committing right now. */
  get pending(): number {
    return this.batcher.pending;
  }

  idle(): Promise<void> {
    return this.batcher.idle();
  }

  async crear(input: { cedula: unknown; nombres: unknown; apellidos: unknown; pin?: unknown }): Promise<Resultado> {
    if (!isValidCedula(input.cedula)) return reject('CEDULA_INVALIDA');
    const nombres = cleanName(input.nombres);
    if (nombres === null) return reject('PARAMETRO_INVALIDO', { campo: 'nombres' });
    const apellidos = cleanName(input.apellidos);
    if (apellidos === null) return reject('PARAMETRO_INVALIDO', { campo: 'apellidos' });
    let pinHash: string | null = null;
    if (input.pin !== undefined && input.pin !== null) {
      if (typeof input.pin !== 'string' || !PIN_PATTERN.test(input.pin)) return reject('PARAMETRO_INVALIDO', { campo: 'pin' });
      pinHash = await hashPin(input.pin);
    }
    return this.batcher.submit({ tipo: 'crear', cedula: input.cedula, nombres, apellidos, pinHash });
  }

  depositar(input: { cedula: unknown; monto: unknown; ref?: unknown }): Promise<Resultado> {
    return this.movement('depositar', input);
  }

  retirar(input: { cedula: unknown; monto: unknown; ref?: unknown }): Promise<Resultado> {
    return this.movement('retirar', input);
  }

  private async movement(tipo: 'depositar' | 'retirar', input: { cedula: unknown; monto: unknown; ref?: unknown }): Promise<Resultado> {
    // Amount first, then account: the order in which the legacy server reported problems.
    const amount = parseAmount(input.monto, this.options.amountCentsMax);
    if (!amount.ok) return reject('MONTO_INVALIDO', { motivo: amount.reason });
    if (!isAccountKey(input.cedula)) return reject('CEDULA_INVALIDA');
    const ref = parseRef(input.ref);
    if (!ref.ok) return ref;
    return this.batcher.submit({ tipo, cedula: input.cedula, centavos: amount.cents, ref: ref.ref });
  }

  async transferir(input: { origen: unknown; destino: unknown; monto: unknown; ref?: unknown }): Promise<Resultado> {
    const amount = parseAmount(input.monto, this.options.amountCentsMax);
    if (!amount.ok) return reject('MONTO_INVALIDO', { motivo: amount.reason });
    if (!isAccountKey(input.origen)) return reject('CEDULA_INVALIDA', { cuenta: 'origen' });
    if (!isAccountKey(input.destino)) return reject('CEDULA_INVALIDA', { cuenta: 'destino' });
    if (input.origen === input.destino) return reject('MISMA_CUENTA');
    const ref = parseRef(input.ref);
    if (!ref.ok) return ref;
    return this.batcher.submit({ tipo: 'transferir', origen: input.origen, destino: input.destino, centavos: amount.cents, ref: ref.ref });
  }

  async consulta(cedula: unknown): Promise<Consulta> {
    if (!isAccountKey(cedula)) return reject('CEDULA_INVALIDA');
    const cuenta = await this.store.getAccount(cedula);
    return cuenta ? { ok: true, cuenta } : reject('CLIENTE_NO_ENCONTRADO');
  }

  async historial(cedula: unknown, limite?: unknown): Promise<Historial> {
    if (!isAccountKey(cedula)) return reject('CEDULA_INVALIDA');
    let rows = this.options.historyRowsDefault;
    if (limite !== undefined && limite !== null) {
      if (!Number.isSafeInteger(limite) || (limite as number) < 1 || (limite as number) > this.options.historyRowsMax) return reject('PARAMETRO_INVALIDO', { campo: 'limite' });
      rows = limite as number;
    }
    if (!(await this.store.getAccount(cedula))) return reject('CLIENTE_NO_ENCONTRADO');
    return { ok: true, cedula, movimientos: await this.store.history(cedula, rows) };
  }

  /**
   * `pin_failures_max` wrong PINs, each within `pin_lock_ms` of the last, lock the cédula for
   * `pin_lock_ms` (rule: pin-lock.ts). The checks of one cédula run one at a time in this process
   * (at most `pin_checks_waiting_max` waiting, past it LIMITE_EXCEDIDO), so parallel guesses get
   * no more tries than sequential ones, while a user's concurrent correct logins simply queue.
   * Each attempt is also reserved in the database before the slow check, which bounds guesses from
   * several processes. Unknown cédulas and accounts without a PIN go through the very same steps
   * (reservation, lock, scrypt against a hash no PIN matches), so no answer tells them apart.
   */
  async verificarPin(cedula: unknown, pin: unknown): Promise<VerificacionPin> {
    if (!isAccountKey(cedula)) return reject('CEDULA_INVALIDA');
    if (typeof pin !== 'string' || pin.length > 64) return reject('PARAMETRO_INVALIDO', { campo: 'pin' });
    const queue = this.pinChecks.get(cedula) ?? { tail: Promise.resolve(), pending: 0 };
    // One running, up to pin_checks_waiting_max behind it.
    if (queue.pending > this.options.pinChecksWaitingMax) return reject('LIMITE_EXCEDIDO');
    queue.pending++;
    this.pinChecks.set(cedula, queue);
    const run = queue.tail.then(() => this.checkPin(cedula, pin));
    const tail = run.then(
      () => void queue.pending--,
      () => void queue.pending--,
    );
    queue.tail = tail;
    // Still the last one queued once it settles: nothing runs or waits for this account any more.
    void tail.then(() => {
      if (queue.tail === tail && this.pinChecks.get(cedula) === queue) this.pinChecks.delete(cedula);
    });
    return run;
  }

  private async checkPin(cedula: string, pin: string): Promise<VerificacionPin> {
    const state = await this.store.getPinState(cedula);
    const pinHash = state?.pinHash ?? null;
    const stored = pinHash ?? (await this.dummyPinHash());
    try {
      // The attempt is reserved only once a hashing slot is held: a busy process refuses it
      // (LIMITE_EXCEDIDO) without counting a failure against the cédula.
      return await withPinHashing(async (hashing) => {
        const nowMs = this.clock.now().getTime();
        const attempt = await this.store.reservePinAttempt(cedula, (current) => reservePinAttempt(current, nowMs, this.options.pinFailuresMax, nowMs + this.options.pinLockMs));
        if (!attempt.reserved) return reject('CUENTA_BLOQUEADA');
        const matches = PIN_PATTERN.test(pin) && (await hashing.verify(pin, stored));
        if (matches && pinHash !== null) {
          await this.store.resetPinFailures(cedula);
          return { ok: true };
        }
        return attempt.fallos >= this.options.pinFailuresMax ? reject('CUENTA_BLOQUEADA') : reject('PIN_INCORRECTO');
      });
    } catch (err) {
      if (err instanceof HubError && err.code === 'LIMITE_EXCEDIDO') return reject('LIMITE_EXCEDIDO');
      throw err;
    }
  }

  private dummyPinHash(): Promise<string> {
    this.dummyHash ??= hashPin(randomUUID());
    return this.dummyHash;
  }

  totalTransacciones(): Promise<number> {
    return this.store.countTransactions();
  }
}

