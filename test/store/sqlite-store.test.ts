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
