import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_PRUNE, openSqliteStore } from '../../core/store/sqlite-store';
import { tempDir } from '../helpers/core';
import type { StoreFactory } from './contract-fixture';
import { ledgerContract } from './ledger-contract';
import { outboxContract } from './outbox-contract';
import { pinContract } from './pin-contract';

let file = '';
const sqlite: StoreFactory = {
  create: async () => {
    file = path.join(tempDir(), 'banco.db');
    return openSqliteStore(file);
  },
  reopen: async () => openSqliteStore(file),
};
ledgerContract('SQLite', sqlite);
pinContract('SQLite', sqlite);
outboxContract('SQLite', sqlite);

describe('SQLite migrations', () => {
  it('let several processes open one fresh database file at the same moment', async () => {
    const { spawn } = await import('node:child_process');
    const fresh = path.join(tempDir(), 'shared.db');
    const script = `require(${JSON.stringify(path.resolve(__dirname, '../../dist/core/store/sqlite-store.js'))}).openSqliteStore(${JSON.stringify(fresh)}).close()`;
    const codes = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).on('exit', resolve))),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const store = openSqliteStore(fresh);
    expect(await store.countTransactions()).toBe(0);
    await store.close();
  });
});

describe('SQLite pruning', () => {
  it('finds sent outbox rows and old idempotency keys through an index, never by scanning the table', async () => {
    const file = path.join(tempDir(), 'plans.db');
    await openSqliteStore(file).close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string): string[] => db.prepare<[number, number], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(0, 100).map((r) => r.detail);
    try {
      const outbox = plan(SQLITE_PRUNE.outbox);
      const refs = plan(SQLITE_PRUNE.idempotencia);
      expect(outbox.some((d) => /^SEARCH outbox USING (COVERING )?INDEX outbox_enviados \(/.test(d))).toBe(true);
      expect(refs.some((d) => /^SEARCH idempotencia USING (COVERING )?INDEX idempotencia_por_creado \(/.test(d))).toBe(true);
      for (const d of [...outbox, ...refs]) expect(d).not.toMatch(/^SCAN|TEMP B-TREE/);
    } finally {
      db.close();
    }
  });
});
