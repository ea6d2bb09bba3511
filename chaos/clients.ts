/**
 * The 32 clients of the bank test. Even-numbered clients speak JSON lines with a `ref` on every
 * money operation (CONTRACT §4); odd ones speak legacy text as the old clients did: one command
 * per write, no newline, waiting for the reply (CONTRACT §3). Each loops until the load stops:
 * transfers, deposits, withdrawals and balance reads on random accounts.
 */
import { formatCents, decimalTextToCents } from '../core/ledger/money';
import { LIMITS } from '../core/limits';
import { CHAOS_LIMITS } from './limits';
import type { History, Operation, Protocolo } from './history';
import { checkHistorialRead, parseMovimientos } from './check-read';
import { openLink, type Link } from './link';
import type { Violations } from './violations';

export interface LoadContext {
  ports: readonly number[];
  accounts: readonly string[];
  history: History;
  /** Transaction ids of the accounts' opening deposits (not operations of the load). */
  fundingIds: ReadonlySet<string>;
  violations: Violations;
  seed: number;
  /** True once the load phase is over: no new operation starts. */
  loadOver: () => boolean;
  /** Epoch ms after which a JSON client stops retrying its last `ref` (the outcome stays unknown). */
  resolveDeadlineMs: () => number;
  unresolved: { count: number };
}

/** A small deterministic PRNG (mulberry32), so a run's choices can be replayed with `--seed`. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Plan =
  | { kind: 'consulta'; cedula: string }
  | { kind: 'historial'; cedula: string }
  | { kind: 'transferencia'; origen: string; destino: string }
  | { kind: 'deposito' | 'retiro'; cedula: string };

/**
 * The mix: mostly transfers (the Jepsen bank test), some deposits and withdrawals, a quarter
 * reads (balances, and for JSON clients also histories; legacy clients read balances only).
 */
function plan(random: () => number, accounts: readonly string[]): Plan {
  const pick = (): string => accounts[Math.floor(random() * accounts.length)];
  const roll = random();
  if (roll < 0.15) return { kind: 'consulta', cedula: pick() };
  if (roll < 0.25) return { kind: 'historial', cedula: pick() };
  if (roll < 0.4) return { kind: 'deposito', cedula: pick() };
  if (roll < 0.55) return { kind: 'retiro', cedula: pick() };
  const origen = pick();
  let destino = pick();
  while (destino === origen) destino = pick();
  return { kind: 'transferencia', origen, destino };
}

/** Ledger refusals: the operation committed nothing (CONTRACT §4 error codes). */
const RULE_CODES = new Set(['SALDO_INSUFICIENTE', 'CLIENTE_NO_ENCONTRADO', 'MISMA_CUENTA', 'MONTO_INVALIDO', 'PARAMETRO_INVALIDO', 'CEDULA_INVALIDA']);
/** Operating failures: the outcome is not known; JSON retries with the same `ref`. */
const RETRY_CODES = new Set(['NO_DISPONIBLE', 'INTERNO', 'LIMITE_EXCEDIDO']);

class Client {
  private link: Link | null = null;
  private portIndex: number;
  private seq = 0;
  private readonly random: () => number;

  constructor(
    private readonly n: number,
    private readonly protocolo: Protocolo,
    private readonly ctx: LoadContext,
  ) {
    this.portIndex = n % ctx.ports.length;
    this.random = prng(ctx.seed * 1000 + n);
  }

  async run(): Promise<void> {
    while (!this.ctx.loadOver()) {
      const p = plan(this.random, this.ctx.accounts);
      if (!(await this.connected(this.ctx.loadOver))) break;
      if (p.kind === 'consulta' || p.kind === 'historial') await this.read(p);
      else await this.money(p);
    }
    this.link?.close();
  }

  /** Ensures a link; after a drop it starts with the next core (the other one, if two). */
  private async connected(giveUp: () => boolean): Promise<boolean> {
    if (this.link && !this.link.isClosed) return true;
    if (this.link) this.portIndex = (this.portIndex + 1) % this.ctx.ports.length;
    const opened = await openLink(this.ctx.ports, this.portIndex, giveUp);
    this.link = opened?.link ?? null;
    if (opened) this.portIndex = opened.index;
    return this.link !== null;
  }

  private dropLink(): void {
    this.link?.close();
  }

  private async money(p: Exclude<Plan, { kind: 'consulta' | 'historial' }>): Promise<void> {
    const { history } = this.ctx;
    const montoCents = history.takeAmountCents(p.kind !== 'deposito' && this.random() < CHAOS_LIMITS.overdraft_share);
    const cedula = p.kind === 'transferencia' ? p.origen : p.cedula;
    const destino = p.kind === 'transferencia' ? p.destino : null;
    const ref = this.protocolo === 'json' ? `chaos-${this.n}-${this.seq++}` : null;
    const op = history.issue({ montoCents, protocolo: this.protocolo, clase: p.kind, cedula, destino, ref });
    if (this.protocolo === 'json') await this.moneyJson(op);
    else await this.moneyLegacy(op);
  }

  private async moneyJson(op: Operation): Promise<void> {
    const monto = formatCents(op.montoCents);
    const request =
      op.clase === 'transferencia'
        ? { op: 'transferir', origen: op.cedula, destino: op.destino, monto, ref: op.ref }
        : { op: op.clase === 'deposito' ? 'depositar' : 'retirar', cedula: op.cedula, monto, ref: op.ref };
    const giveUp = (): boolean => Date.now() > this.ctx.resolveDeadlineMs();
    for (let attempt = 0; ; attempt++) {
      if (giveUp() || !(await this.connected(giveUp))) {
        this.ctx.history.lose(op);
        this.ctx.unresolved.count++;
        return;
      }
      const id = `${op.ref}#${attempt}`;
      this.link!.write(JSON.stringify({ id, ...request }) + '\n');
      const reply = await this.jsonReply(id);
      if (reply === null) {
        this.dropLink();
        continue; // same ref again: the first result comes back if it committed (CONTRACT §4)
      }
      if (this.settleJson(op, reply)) return;
      await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.retry_pause_ms));
    }
  }

  private async jsonReply(id: string): Promise<Record<string, unknown> | null> {
    const line = await this.link!.readLine();
    if (line === null) return null;
    const reply = parseJsonObject(line);
    if (reply === null) {
      this.ctx.violations.add('protocol', `reply to ${id} is not a JSON object: ${JSON.stringify(line.slice(0, 200))}`);
      return null;
    }
    if (reply.id !== id) this.ctx.violations.add('protocol', `JSON reply for ${JSON.stringify(reply.id)} to request ${id}`);
    return reply;
  }

  /** True when the outcome is known. */
  private settleJson(op: Operation, reply: Record<string, unknown>): boolean {
    const { history, violations } = this.ctx;
    if (reply.ok === true) {
      history.acknowledge(op, typeof reply.transaccion_id === 'string' ? reply.transaccion_id : null);
      for (const field of ['saldo_nuevo', 'saldo_origen', 'saldo_destino']) this.checkSaldo(reply[field], `${op.ref} ${field}`);
      if (typeof reply.transaccion_id !== 'string') violations.add('protocol', `${op.ref}: acknowledged without transaccion_id`);
      return true;
    }
    const code = (reply.error as { code?: string } | undefined)?.code ?? '?';
    if (RULE_CODES.has(code)) {
      history.reject(op, code);
      return true;
    }
    if (code === 'REF_CONFLICTO') {
      violations.add('idempotency', `${op.ref}: REF_CONFLICTO on a retry with the same parameters`);
      history.lose(op);
      return true;
    }
    if (!RETRY_CODES.has(code)) violations.add('protocol', `${op.ref}: unexpected error ${code}`);
    return false;
  }

  private async moneyLegacy(op: Operation): Promise<void> {
    const monto = formatCents(op.montoCents);
    const command =
      op.clase === 'transferencia' ? `TRANSFERIR ${op.cedula} ${op.destino} ${monto}` : `${op.clase === 'deposito' ? 'AUMENTAR' : 'DISMINUIR'} ${op.cedula} ${monto}`;
    this.link!.write(command); // one write, no newline: the old clients' habit
    const reply = await this.link!.readReply();
    if (reply === null) {
      this.dropLink();
      this.ctx.history.lose(op); // it may or may not have committed; the checker finds out from the database
      return;
    }
    this.settleLegacy(op, reply);
  }

  private settleLegacy(op: Operation, reply: string): void {
    const { history, violations } = this.ctx;
    const fields = reply.split('|');
    if (fields[0] === 'OK') {
      history.acknowledge(op, null);
      for (const saldo of fields.slice(2)) this.checkSaldo(saldo, `${op.clase} ${formatCents(op.montoCents)}`);
      return;
    }
    const rule = /^ERROR\|(Saldo insuficiente|Cliente no encontrado|Cuenta origen no existe|Cuenta destino no existe|No se puede transferir)/;
    if (rule.test(reply)) history.reject(op, fields[1]);
    else {
      history.lose(op); // "Servicio no disponible", "Error interno", "Demasiadas solicitudes": outcome unknown
      if (!/^ERROR\|(Servicio no disponible|Error interno|Demasiadas solicitudes)/.test(reply)) violations.add('protocol', `legacy reply ${JSON.stringify(reply)} to ${op.clase}`);
    }
  }

  private async read(p: Extract<Plan, { kind: 'consulta' | 'historial' }>): Promise<void> {
    this.ctx.history.reads++;
    if (this.protocolo === 'legacy') return this.consultaLegacy(p.cedula);
    const id = `r-${this.n}-${this.seq++}`;
    const request = p.kind === 'historial' ? { id, op: 'historial', cedula: p.cedula, limite: LIMITS.history_rows_max } : { id, op: 'consulta', cedula: p.cedula };
    this.link!.write(JSON.stringify(request) + '\n');
    const reply = await this.jsonReply(id);
    if (reply === null) return this.dropLink();
    if (reply.ok !== true) return;
    if (p.kind === 'consulta') return this.checkSaldo((reply.cliente as { saldo?: unknown } | undefined)?.saldo, `consulta ${p.cedula}`);
    const rows = parseMovimientos(reply.movimientos);
    if (rows === null) return this.ctx.violations.add('protocol', `historial ${p.cedula}: malformed movimientos`);
    checkHistorialRead(p.cedula, rows, this.ctx.history, this.ctx.fundingIds, this.ctx.violations);
  }

  private async consultaLegacy(cedula: string): Promise<void> {
    this.link!.write(`CONSULTA ${cedula}`);
    const reply = await this.link!.readReply();
    if (reply === null) return this.dropLink();
    const fields = reply.split('|');
    if (fields[0] === 'OK') this.checkSaldo(fields[3], `CONSULTA ${cedula}`);
  }

  /** Every balance a client reads must be a non-negative amount (CONTRACT §2). */
  private checkSaldo(value: unknown, what: string): void {
    if (value === undefined) return;
    const text = typeof value === 'string' ? value : String(value);
    let cents: number;
    try {
      cents = decimalTextToCents(text);
    } catch (err) {
      this.ctx.violations.add('protocol', `${what}: balance ${JSON.stringify(text)} is not an amount (${(err as Error).message})`);
      return;
    }
    if (cents < 0) this.ctx.violations.add('negative', `${what}: negative balance ${text}`);
  }
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // the caller records the bad line as a protocol violation
  }
}

export async function runClients(ctx: LoadContext, clients: number): Promise<void> {
  await Promise.all(Array.from({ length: clients }, (_, n) => new Client(n, n % 2 === 0 ? 'json' : 'legacy', ctx).run()));
}
