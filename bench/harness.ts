/** What the benchmark suites share: the accounts, the load worker, a fresh MySQL database, seeding. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createConnection } from 'mysql2/promise';
import { formatLegacyTimestamp } from '../core/clock';
import { isValidCedula } from '../core/ledger/cedula';
import type { Store } from '../core/store/store';
import type { LoadRequest, LoadResult } from './load-worker';

export /** Valid cédulas 1700000001, … : province 17, the check digit computed. */
function accounts(n: number): string[] {
  const out: string[] = [];
  for (let body = 170_000_000; out.length < n; body++) {
    for (let d = 0; d < 10; d++) {
      const c = `${body}${d}`;
      if (isValidCedula(c)) {
        out.push(c);
        break;
      }
    }
  }
  return out;
}

/** Runs the load generator in a worker thread. */
export function load(req: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'load-worker.js'), { workerData: req });
    worker.once('message', (m: LoadResult) => resolve(m));
    worker.once('error', reject);
  });
}

/** A fresh MySQL database for one figure, or null when MySQL/MariaDB does not answer. */
export async function mysqlUrl(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const base = new URL(process.env.BANCO_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const conn = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: base.username, password: decodeURIComponent(base.password) }).catch(() => null);
  if (!conn) return null;
  const name = `banco_bench_${randomBytes(3).toString('hex')}`;
  await conn.query(`CREATE DATABASE ${name}`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await conn.query(`DROP DATABASE ${name}`);
      await conn.end();
    },
  };
}

export async function seed(store: Store, list: string[]): Promise<void> {
  await store.seedIfEmpty(list.map((cedula) => ({ cedula, nombres: 'Bench', apellidos: 'Cliente', saldo: 100_000_000, pinHash: null })), formatLegacyTimestamp(new Date()));
}
