/**
 * The bank test's checker on hand-made histories: it passes a correct run (sound) and finds each
 * kind of real violation (strict) — a lost acknowledged operation, a double application, a
 * refused operation that committed, a broken balance chain, a total out of bounds, a missing
 * event, and versions that are missing or do not grow.
 */
import { checkEvents } from '../../chaos/check-events';
import { checkLedger } from '../../chaos/check-ledger';
import { checkHistorialRead, type MovimientoLeido } from '../../chaos/check-read';
import type { DbView, MovimientoDb, OutboxRow } from '../../chaos/database';
import type { Delivery } from '../../chaos/event-recorder';
import { History, markFlows, totalBounds } from '../../chaos/history';
import { Violations } from '../../chaos/violations';

const A = '1700000001';
const B = '1700000019';
const INITIAL = 10_000;

interface Scenario {
  history: History;
  rows: MovimientoDb[];
  saldos: Map<string, number>;
}

/** Funding (f-a, f-b: 10,000c each), then a JSON transfer A→B of 5c and a legacy deposit of 7c to A. */
function scenario(): Scenario {
  const history = new History();
  const transfer = history.issue({ montoCents: history.takeAmountCents() + 4, protocolo: 'json', clase: 'transferencia', cedula: A, destino: B, ref: 'r1' });
  history.acknowledge(transfer, 't1');
  history.takeAmountCents();
  const deposit = history.issue({ montoCents: 7, protocolo: 'legacy', clase: 'deposito', cedula: A, destino: null, ref: null });
  history.acknowledge(deposit, null);
  const rows: MovimientoDb[] = [
    { id: 1, cedula: A, tipo: 'DEPOSITO', montoCents: INITIAL / 2, saldoFinalCents: INITIAL / 2, transaccionId: 'f-a' },
    { id: 2, cedula: B, tipo: 'DEPOSITO', montoCents: INITIAL / 2, saldoFinalCents: INITIAL / 2, transaccionId: 'f-b' },
    { id: 3, cedula: A, tipo: 'TRANSFERENCIA_ENVIADA', montoCents: 5, saldoFinalCents: 4995, transaccionId: 't1' },
    { id: 4, cedula: B, tipo: 'TRANSFERENCIA_RECIBIDA', montoCents: 5, saldoFinalCents: 5005, transaccionId: 't1' },
    { id: 5, cedula: A, tipo: 'DEPOSITO', montoCents: 7, saldoFinalCents: 5002, transaccionId: 'd1' },
  ];
  return { history, rows, saldos: new Map([[A, 5002], [B, 5005]]) };
}

const FUNDING = new Set(['f-a', 'f-b']);

function ledger(s: Scenario): Violations {
  const v = new Violations();
  checkLedger({ saldos: s.saldos, movimientos: s.rows }, s.history, INITIAL, FUNDING, v);
  return v;
}

describe('the chaos checker, ledger side', () => {
  it('passes a run where every acknowledged operation is in the history once and the total adds up', () => {
    const v = ledger(scenario());
    expect(v.samples).toEqual([]);
    expect(v.total).toBe(0);
  });

  it('reports an acknowledged operation that is not in the database as lost', () => {
    const s = scenario();
    s.rows = s.rows.filter((r) => r.transaccionId !== 'd1');
    s.saldos.set(A, 4995);
    expect(ledger(s).byKind).toMatchObject({ lost: 1, total: 1 });
  });

  it('reports an operation applied twice as a duplicate', () => {
    const s = scenario();
    s.rows.push({ id: 6, cedula: A, tipo: 'DEPOSITO', montoCents: 7, saldoFinalCents: 5009, transaccionId: 'd2' });
    s.saldos.set(A, 5009);
    expect(ledger(s).byKind).toMatchObject({ duplicate: 1, total: 1 });
  });

  it('reports a refused operation that committed, and a movement nobody issued, as phantoms', () => {
    const s = scenario();
    const refused = s.history.issue({ montoCents: 9, protocolo: 'json', clase: 'retiro', cedula: B, destino: null, ref: 'r9' });
    s.history.reject(refused, 'SALDO_INSUFICIENTE');
    s.rows.push({ id: 6, cedula: B, tipo: 'RETIRO', montoCents: 9, saldoFinalCents: 4996, transaccionId: 'w9' });
    s.rows.push({ id: 7, cedula: B, tipo: 'RETIRO', montoCents: 11, saldoFinalCents: 4985, transaccionId: 'w11' });
    s.saldos.set(B, 4985);
    expect(ledger(s).byKind).toMatchObject({ phantom: 2 });
  });

  it('accepts a legacy operation of unknown outcome either way, and counts it', () => {
    for (const committed of [true, false]) {
      const s = scenario();
      const lost = s.history.issue({ montoCents: 13, protocolo: 'legacy', clase: 'retiro', cedula: B, destino: null, ref: null });
      s.history.lose(lost);
      if (committed) {
        s.rows.push({ id: 6, cedula: B, tipo: 'RETIRO', montoCents: 13, saldoFinalCents: 4992, transaccionId: 'w13' });
        s.saldos.set(B, 4992);
      }
      const v = new Violations();
      const figures = checkLedger({ saldos: s.saldos, movimientos: s.rows }, s.history, INITIAL, FUNDING, v);
      expect([v.total, figures.unknown, figures.unknownCommitted]).toEqual([0, 1, committed ? 1 : 0]);
    }
  });

  it('reports a balance its history does not add up to (a lost update)', () => {
    const s = scenario();
    s.saldos.set(B, 5000);
    expect(ledger(s).byKind).toMatchObject({ ledger: 1, total: 1 });
  });

  it('reports a JSON retry answered with a different transaction than the one committed', () => {
    const s = scenario();
    s.history.operations.get(5)!.transaccionId = 'other';
    expect(ledger(s).byKind).toMatchObject({ idempotency: 1 });
  });

  it('bounds a snapshot total by what was acknowledged before and issued after the read', () => {
    const h = new History();
    const before = markFlows(h);
    const dep = h.issue({ montoCents: 100, protocolo: 'json', clase: 'deposito', cedula: A, destino: null, ref: 'x' });
    const wdr = h.issue({ montoCents: 30, protocolo: 'legacy', clase: 'retiro', cedula: A, destino: null, ref: null });
    h.lose(wdr);
    expect(totalBounds(1000, before, markFlows(h))).toEqual({ minCents: 970, maxCents: 1100 });
    h.acknowledge(dep, 'd');
    const mark = markFlows(h);
    expect(totalBounds(1000, mark, mark)).toEqual({ minCents: 1070, maxCents: 1100 });
  });
});

function event(id: string, topic: string, payload: Record<string, unknown>): { row: OutboxRow; delivery: Delivery } {
  const p = { id, ...payload };
  return { row: { id, topic, payload: p }, delivery: { topic, payload: p, retain: false, receivedMs: 0 } };
}

/** The transfer t1 and the deposit d1 of `scenario()`, as the outbox holds them, with versions. */
function events(): Array<{ row: OutboxRow; delivery: Delivery }> {
  return [
    event('e1', 'transacciones', { cedula: A, tipo: 'TRANSFERENCIA_ENVIADA', transaccion_id: 't1', version: 2 }),
    event('e2', 'transacciones', { cedula: B, tipo: 'TRANSFERENCIA_RECIBIDA', transaccion_id: 't1', version: 2 }),
    event('e3', 'transferencias', { cedula_origen: A, cedula_destino: B, transaccion_id: 't1', version_origen: 2, version_destino: 2 }),
    event('e4', `saldo/${A}`, { cedula: A, version: 2 }),
    event('e5', `saldo/${B}`, { cedula: B, version: 2 }),
    event('e6', 'transacciones', { cedula: A, tipo: 'DEPOSITO', transaccion_id: 'd1', version: 3 }),
    event('e7', 'depositos', { cedula: A, tipo: 'DEPOSITO', transaccion_id: 'd1', version: 3 }),
    event('e8', `saldo/${A}`, { cedula: A, version: 3 }),
  ];
}

function view(): DbView {
  const s = scenario();
  // Funding movements have their events too; the checks here are about t1 and d1.
  return { saldos: s.saldos, movimientos: s.rows.filter((r) => !FUNDING.has(r.transaccionId ?? '')) };
}

function check(outbox: OutboxRow[], deliveries: Delivery[], requireVersions = true): { v: Violations; figures: ReturnType<typeof checkEvents> } {
  const v = new Violations();
  return { v, figures: checkEvents(outbox, deliveries, view(), requireVersions, v) };
}

describe('the chaos checker, event side', () => {
  it('passes when every outbox row arrived, counting redeliveries before dropping them', () => {
    const e = events();
    const deliveries = [...e.map((x) => x.delivery), e[0].delivery, e[5].delivery];
    const { v, figures } = check(e.map((x) => x.row), deliveries);
    expect(v.samples).toEqual([]);
    expect(figures).toMatchObject({ missing: 0, duplicatesBeforeDedupe: 2, versionsMissing: 0, versionRegressions: 0 });
  });

  it('takes a relay\'s last will on alertas for the broker\'s word, not for an event missing from the outbox', () => {
    const e = events();
    const will: Delivery = { topic: 'alertas', payload: { event: 'publisher_disconnected', id: 'w1', client_id: 'banco-core-x', timestamp: '2026-01-01T00:00:00.000Z' }, retain: false, receivedMs: 0 };
    const { v, figures } = check(e.map((x) => x.row), [...e.map((x) => x.delivery), will]);
    expect(v.samples).toEqual([]);
    expect(figures).toMatchObject({ missing: 0, versionsMissing: 0 });
  });

  it('counts an outbox row that never arrived as a missing event', () => {
    const e = events();
    const { figures } = check(e.map((x) => x.row), e.slice(1).map((x) => x.delivery));
    expect(figures.missing).toBe(1);
  });

  it('reports a committed movement whose events were never written to the outbox', () => {
    const e = events().filter((x) => x.row.id !== 'e6');
    const { v } = check(e.map((x) => x.row), e.map((x) => x.delivery));
    expect(v.byKind).toMatchObject({ lost: 1 });
  });

  it('requires a version on every account event (CONTRACT §5)', () => {
    const e = events();
    delete e[2].row.payload.version_destino;
    const { v, figures } = check(e.map((x) => x.row), e.map((x) => x.delivery));
    expect(figures.versionsMissing).toBe(1);
    expect(v.byKind.version).toBe(1);
  });

  it('reports a version that does not grow in the order received, after dropping duplicates', () => {
    const e = events();
    const order = [e[0], e[1], e[2], e[7], e[3], e[4], e[5], e[6]]; // saldo v3 of A before its v2
    const { v, figures } = check(e.map((x) => x.row), order.map((x) => x.delivery));
    expect(figures.versionRegressions).toBe(1);
    expect(v.byKind.version).toBe(1);
  });

  it('reports versions that do not grow in the order the database committed the movements', () => {
    const e = events();
    e[5].row.payload.version = 2; // the deposit after the transfer carries the transfer's version
    const { v } = check(e.map((x) => x.row), e.map((x) => x.delivery));
    expect(v.byKind.version).toBeGreaterThanOrEqual(1);
    expect(v.samples.some((s) => s.includes('history row 5'))).toBe(true);
  });

  it('counts transacciones events that arrive out of the commit order, without needing versions', () => {
    const e = events();
    for (const x of e) delete x.row.payload.version;
    const order = [e[5], e[0], e[1], e[2], e[3], e[4], e[6], e[7]]; // A's deposit (row 5) before its transfer (row 3)
    const { v, figures } = check(e.map((x) => x.row), order.map((x) => x.delivery), false);
    expect([v.total, figures.arrivalReorders]).toEqual([0, 1]);
  });

  it('can skip the version checks for the harness developer (--no-versions)', () => {
    const e = events();
    for (const x of e) delete x.row.payload.version;
    expect(check(e.map((x) => x.row), e.map((x) => x.delivery), false).v.total).toBe(0);
  });
});

describe('the chaos checker, historial reads during the load', () => {
  /** A's history newest first as `historial` shows it: d1 (7c), t1 sent (5c), funding. */
  function rowsOfA(): MovimientoLeido[] {
    return [
      { tipo: 'DEPOSITO', montoCents: 7, saldoFinalCents: 5002, transaccionId: 'd1' },
      { tipo: 'TRANSFERENCIA_ENVIADA', montoCents: 5, saldoFinalCents: 4995, transaccionId: 't1' },
      { tipo: 'DEPOSITO', montoCents: INITIAL / 2, saldoFinalCents: INITIAL / 2, transaccionId: 'f-a' },
    ];
  }

  function read(rows: MovimientoLeido[], s = scenario()): Violations {
    const v = new Violations();
    checkHistorialRead(A, rows, s.history, FUNDING, v);
    return v;
  }

  it('passes a history whose rows were issued, chain, and carry the acknowledged ids', () => {
    expect(read(rowsOfA()).samples).toEqual([]);
  });

  it('reports balances that do not chain (a lost update seen live)', () => {
    const rows = rowsOfA();
    rows[0].saldoFinalCents = 5003;
    expect(read(rows).byKind).toEqual({ ledger: 1 });
  });

  it('reports a row shown twice, a refused operation shown, and a row of another account', () => {
    const s = scenario();
    const refused = s.history.issue({ montoCents: 9, protocolo: 'json', clase: 'retiro', cedula: A, destino: null, ref: 'r9' });
    s.history.reject(refused, 'SALDO_INSUFICIENTE');
    const rows: MovimientoLeido[] = [
      { tipo: 'RETIRO', montoCents: 9, saldoFinalCents: 4993, transaccionId: 'w9' },
      { tipo: 'DEPOSITO', montoCents: 7, saldoFinalCents: 5002, transaccionId: 'd1' },
      { tipo: 'DEPOSITO', montoCents: 7, saldoFinalCents: 4995, transaccionId: 'd1' },
      { tipo: 'TRANSFERENCIA_RECIBIDA', montoCents: 5, saldoFinalCents: 4988, transaccionId: 't1' },
    ];
    const v = read(rows, s);
    expect(v.byKind).toMatchObject({ phantom: 2, duplicate: 1 });
  });
});
