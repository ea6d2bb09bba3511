/**
 * Direct reads of the core's database, bypassing the core: the checker's ground truth. One
 * statement per snapshot, so the sum of balances is a consistent read (InnoDB's read view; a
 * SQLite read transaction on the WAL).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createConnection, type Connection } from 'mysql2/promise';
import { decimalTextToCents } from '../core/ledger/money';
import type { TipoMovimiento } from '../core/ledger/types';

export interface Snapshot {
  totalCents: number;
  minCents: number;
}

export interface MovimientoDb {
  id: number;
  cedula: string;
  tipo: TipoMovimiento;
  montoCents: number;
  saldoFinalCents: number;
  transaccionId: string | null;
}

export interface OutboxRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  /** Diagnostics for a missing event: when its claim runs out, when it was marked sent. */
  claimedUntilMs?: number | null;
  sentMs?: number | null;
}

const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface DbView {
  saldos: Map<string, number>;
  movimientos: MovimientoDb[];
}

export interface ChaosDatabase {
  /** DATABASE_URL for the core processes. */
  url: string;
  snapshot(): Promise<Snapshot>;
  view(): Promise<DbView>;
  outbox(): Promise<OutboxRow[]>;
  /** Just the ids of the outbox rows: the drain polls this. */
  outboxIds(): Promise<string[]>;
  close(): Promise<void>;
}

interface RawOutboxRow {
  id: string;
  topic: string;
  payload: string;
  reclamado_hasta_ms: unknown;
  enviado_ms: unknown;
}

function toOutboxRow(r: RawOutboxRow): OutboxRow {
  return { id: r.id, topic: r.topic, payload: JSON.parse(r.payload) as Record<string, unknown>, claimedUntilMs: nullableNumber(r.reclamado_hasta_ms), sentMs: nullableNumber(r.enviado_ms) };
}

const cents = (value: string | number): number => (typeof value === 'number' ? value : decimalTextToCents(value));

/** A fresh MariaDB/MySQL database next to the one `baseUrl` names; `close` drops it. */
export async function createMysqlDatabase(baseUrl: string): Promise<ChaosDatabase> {
  const base = new URL(baseUrl);
  const name = `banco_chaos_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  let reader: Connection | null = null;
  const conn = async (): Promise<Connection> => (reader ??= await createConnection({ uri: url.toString(), decimalNumbers: false, supportBigNumbers: true, bigNumberStrings: true }));
  return {
    url: url.toString(),
    snapshot: async () => {
      const [rows] = await (await conn()).query('SELECT COALESCE(SUM(saldo), 0) AS total, COALESCE(MIN(saldo), 0) AS minimo FROM clientes');
      const row = (rows as Array<{ total: string; minimo: string }>)[0];
      return { totalCents: cents(String(row.total)), minCents: cents(String(row.minimo)) };
    },
    view: async () => {
      const c = await conn();
      const [saldos] = await c.query('SELECT cedula, saldo FROM clientes');
      const [movs] = await c.query('SELECT id, cedula, tipo, monto, saldo_final, transaccion_id FROM transacciones ORDER BY id');
      return {
        saldos: new Map((saldos as Array<{ cedula: string; saldo: string }>).map((r) => [r.cedula, cents(r.saldo)])),
        movimientos: (movs as Array<{ id: number; cedula: string; tipo: TipoMovimiento; monto: string; saldo_final: string; transaccion_id: string | null }>).map((r) => ({
          id: Number(r.id),
          cedula: r.cedula,
          tipo: r.tipo,
          montoCents: cents(r.monto),
          saldoFinalCents: cents(r.saldo_final),
          transaccionId: r.transaccion_id,
        })),
      };
    },
    outbox: async () => {
      const [rows] = await (await conn()).query('SELECT id, topic, payload, reclamado_hasta_ms, enviado_ms FROM outbox ORDER BY seq');
      return (rows as RawOutboxRow[]).map(toOutboxRow);
    },
    outboxIds: async () => {
      const [rows] = await (await conn()).query('SELECT id FROM outbox');
      return (rows as Array<{ id: string }>).map((r) => r.id);
    },
    close: async () => {
      if (reader) await reader.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** The core's SQLite file in `dataDir` (banco.db), read through a read-only connection. */
export function sqliteDatabase(dataDir: string): ChaosDatabase {
  const file = path.join(dataDir, 'banco.db');
  let db: Database.Database | null = null;
  const open = (): Database.Database => (db ??= new Database(file, { readonly: true, fileMustExist: true }));
  return {
    url: `sqlite:${file}`,
    snapshot: async () => {
      const row = open().prepare('SELECT COALESCE(SUM(saldo_centavos), 0) AS total, COALESCE(MIN(saldo_centavos), 0) AS minimo FROM clientes').get() as { total: number; minimo: number };
      return { totalCents: row.total, minCents: row.minimo };
    },
    view: async () => {
      const d = open();
      const saldos = d.prepare('SELECT cedula, saldo_centavos AS saldo FROM clientes').all() as Array<{ cedula: string; saldo: number }>;
      const movs = d
        .prepare('SELECT id, cedula, tipo, monto_centavos AS monto, saldo_final_centavos AS saldo_final, transaccion_id FROM transacciones ORDER BY id')
        .all() as Array<{ id: number; cedula: string; tipo: TipoMovimiento; monto: number; saldo_final: number; transaccion_id: string | null }>;
      return {
        saldos: new Map(saldos.map((r) => [r.cedula, r.saldo])),
        movimientos: movs.map((r) => ({ id: r.id, cedula: r.cedula, tipo: r.tipo, montoCents: r.monto, saldoFinalCents: r.saldo_final, transaccionId: r.transaccion_id })),
      };
    },
    outbox: async () => {
      return (open().prepare('SELECT id, topic, payload, reclamado_hasta_ms, enviado_ms FROM outbox ORDER BY seq').all() as RawOutboxRow[]).map(toOutboxRow);
    },
    outboxIds: async () => (open().prepare('SELECT id FROM outbox').all() as Array<{ id: string }>).map((r) => r.id),
    close: async () => {
      db?.close();
      db = null;
    },
  };
}
