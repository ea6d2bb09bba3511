import path from 'node:path';
import { SqliteStore } from '../../core/store/sqlite-store';
import { tempDir } from '../helpers/core';
import { storeContract } from './store-contract';

let file = '';
storeContract('SQLite', {
  create: async () => {
    file = path.join(tempDir(), 'banco.db');
    return new SqliteStore(file);
  },
  reopen: async () => new SqliteStore(file),
});

describe('SQLite migrations', () => {
  it('let several processes open one fresh database file at the same moment', async () => {
    const { spawn } = await import('node:child_process');
    const fresh = path.join(tempDir(), 'shared.db');
    const script = `new (require(${JSON.stringify(path.resolve(__dirname, '../../dist/core/store/sqlite-store.js'))}).SqliteStore)(${JSON.stringify(fresh)}).close()`;
    const codes = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).on('exit', resolve))),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const store = new SqliteStore(fresh);
    expect(await store.countTransactions()).toBe(0);
    await store.close();
  });
});
