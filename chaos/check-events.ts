/**
 * The MQTT side of the check (CONTRACT §5): every outbox row — every event of every committed
 * movement — reached the subscriber (by `id`); nothing arrived that the outbox never held; and
 * each account's `version` grows strictly, both in the order events arrived (after dropping
 * duplicate ids) and in the order the database committed the account's movements.
 */
import type { DbView, OutboxRow } from './database';
import type { Delivery } from './event-recorder';
import { CHAOS_LIMITS } from './limits';
import type { Violations } from './violations';

export interface EventFigures {
  outboxRows: number;
  deliveries: number;
  missing: number;
  /** The first few missing events, for the report. */
  missingSamples: string[];
  duplicatesBeforeDedupe: number;
  /** Account events without their integer `version` (`version_origen`/`version_destino` on transfers). */
  versionsMissing: number;
  /** Per account and topic, an event whose version was not above the one received before it. */
  versionRegressions: number;
  /**
   * Informational, needs no version: `transacciones` events of an account that arrived after an
   * event of a later commit of that account (history order). Nonzero means the version check
   * above will see regressions once versions are there.
   */
  arrivalReorders: number;
  /** Longest time from an event's `timestamp` (its commit) to its first arrival. */
  delayMsMax: number;
}

/** Events that are not committed facts: published directly, not through the outbox. */
const NOT_FROM_OUTBOX = new Set(['estadisticas']);

/** The relay's last will (CONTRACT §5) shares `alertas` but is the broker's word, not a committed fact. */
function isPublisherWill(d: Delivery): boolean {
  return d.payload.event === 'publisher_disconnected';
}

export function dedupe(deliveries: Delivery[]): { unique: Delivery[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: Delivery[] = [];
  let duplicates = 0;
  for (const d of deliveries) {
    const id = typeof d.payload.id === 'string' ? d.payload.id : null;
    if (id === null || NOT_FROM_OUTBOX.has(d.topic) || isPublisherWill(d)) continue;
    if (seen.has(id)) duplicates++;
    else {
      seen.add(id);
      unique.push(d);
    }
  }
  return { unique, duplicates };
}

/** Why an event may be missing: never sent and still claimed (a dead relay's lease), or sent but lost. */
function outboxState(row: OutboxRow): string {
  if (row.sentMs) return `marked sent ${new Date(row.sentMs).toISOString()}`;
  if (row.claimedUntilMs && row.claimedUntilMs > Date.now()) return `unsent, claimed for ${Math.round((row.claimedUntilMs - Date.now()) / 1000)} s more`;
  return 'unsent, unclaimed';
}

export function missingIds(outboxIds: string[], deliveries: Delivery[]): number {
  const received = new Set(deliveries.map((d) => d.payload.id));
  return outboxIds.filter((id) => !received.has(id)).length;
}

export function checkEvents(outbox: OutboxRow[], deliveries: Delivery[], view: DbView, requireVersions: boolean, violations: Violations): EventFigures {
  const { unique, duplicates } = dedupe(deliveries);
  const byId = new Map(outbox.map((row) => [row.id, row]));
  const received = new Set(unique.map((d) => d.payload.id as string));
  let missingCount = 0;
  const missingSamples: string[] = [];
  for (const row of outbox) {
    if (received.has(row.id)) continue;
    missingCount++;
    if (missingCount <= CHAOS_LIMITS.missing_samples_max) missingSamples.push(`${row.topic} ${row.id} (${outboxState(row)}) ${JSON.stringify(row.payload).slice(0, 120)}`);
  }
  for (const d of unique) {
    const row = byId.get(d.payload.id as string);
    if (!row) violations.add('phantom', `event ${String(d.payload.id)} on ${d.topic} is in no outbox row`);
    else if (row.topic !== d.topic) violations.add('phantom', `event ${row.id} arrived on ${d.topic}, its outbox row says ${row.topic}`);
  }
  checkMovementsHaveEvents(outbox, view, violations);
  const versions = requireVersions ? checkVersions(unique, view, violations) : { versionsMissing: 0, versionRegressions: 0 };
  return { outboxRows: outbox.length, deliveries: deliveries.length, missing: missingCount, missingSamples, duplicatesBeforeDedupe: duplicates, ...versions, arrivalReorders: arrivalReorders(unique, view), delayMsMax: delayMsMax(unique) };
}

function delayMsMax(unique: Delivery[]): number {
  let max = 0;
  for (const d of unique) {
    const committed = Date.parse(String(d.payload.timestamp));
    if (Number.isFinite(committed)) max = Math.max(max, d.receivedMs - committed);
  }
  return max;
}

function arrivalReorders(unique: Delivery[], view: DbView): number {
  const rowOf = new Map(view.movimientos.map((m) => [`${m.transaccionId}|${m.cedula}`, m.id]));
  const last = new Map<string, number>();
  let reorders = 0;
  for (const d of unique) {
    if (d.topic !== 'transacciones') continue;
    const cedula = String(d.payload.cedula);
    const row = rowOf.get(`${String(d.payload.transaccion_id)}|${cedula}`);
    if (row === undefined) continue;
    const before = last.get(cedula) ?? 0;
    if (row < before) reorders++;
    last.set(cedula, Math.max(before, row));
  }
  return reorders;
}

/** The transactional outbox holds, for every committed movement, its `transacciones` events (one per side). */
function checkMovementsHaveEvents(outbox: OutboxRow[], view: DbView, violations: Violations): void {
  const sides = new Set<string>();
  for (const row of outbox) if (row.topic === 'transacciones') sides.add(`${String(row.payload.transaccion_id)}|${String(row.payload.cedula)}|${String(row.payload.tipo)}`);
  for (const m of view.movimientos) {
    if (!sides.has(`${m.transaccionId}|${m.cedula}|${m.tipo}`)) violations.add('lost', `movement ${m.transaccionId} (${m.tipo} ${m.cedula}) has no banco/transacciones event in the outbox`);
  }
}

interface VersionedSide {
  stream: string;
  cedula: string;
  version: unknown;
}

/** The account sides an event speaks of, with the version it carries for each (CONTRACT §5). */
function sidesOf(d: Delivery): VersionedSide[] {
  const p = d.payload;
  if (d.topic === 'transferencias') {
    return [
      { stream: 'transferencias', cedula: String(p.cedula_origen), version: p.version_origen },
      { stream: 'transferencias', cedula: String(p.cedula_destino), version: p.version_destino },
    ];
  }
  const stream = d.topic.startsWith('saldo/') ? 'saldo' : d.topic;
  return [{ stream, cedula: String(p.cedula), version: p.version }];
}

function isVersion(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkVersions(unique: Delivery[], view: DbView, violations: Violations): { versionsMissing: number; versionRegressions: number } {
  let versionsMissing = 0;
  let versionRegressions = 0;
  const last = new Map<string, number>();
  const bySide = new Map<string, number>(); // transaccion_id|cedula → version, from banco/transacciones
  for (const d of unique) {
    for (const side of sidesOf(d)) {
      if (!isVersion(side.version)) {
        versionsMissing++;
        continue;
      }
      const key = `${side.stream}|${side.cedula}`;
      const before = last.get(key);
      if (before !== undefined && side.version <= before) {
        versionRegressions++;
        violations.add('version', `${side.stream} of ${side.cedula}: version ${side.version} arrived after ${before} (event ${String(d.payload.id)})`);
      }
      last.set(key, Math.max(before ?? side.version, side.version));
      if (d.topic === 'transacciones') bySide.set(`${String(d.payload.transaccion_id)}|${side.cedula}`, side.version);
    }
  }
  if (versionsMissing > 0) violations.addMany('version', versionsMissing, `${versionsMissing} account events carry no integer version / version_origen / version_destino (CONTRACT §5)`);
  checkCommitOrder(view, bySide, violations);
  return { versionsMissing, versionRegressions };
}

/** Versions grow with every committed change of the account: in its history order (CONTRACT §5). */
function checkCommitOrder(view: DbView, bySide: Map<string, number>, violations: Violations): void {
  const last = new Map<string, number>();
  for (const m of view.movimientos) {
    const v = bySide.get(`${m.transaccionId}|${m.cedula}`);
    if (v === undefined) continue; // event missing or unversioned: counted above
    const before = last.get(m.cedula);
    if (before !== undefined && v <= before) violations.add('version', `${m.cedula}: history row ${m.id} has version ${v}, an earlier row of the account had ${before}`);
    last.set(m.cedula, v);
  }
}
