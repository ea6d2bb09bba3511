/** A storm of refused connections writes one log line per interval, not one per connection (issue 7). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCoreConfig } from '../../core/config';
import { startCore } from '../../core/core-service';
import { createLogger } from '../../core/log';
import { TcpClient } from '../helpers/tcp-client';

test('200 connections refused at the door write one log line, then one summary line counting the rest', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line)) });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-refusal-'));
  const core = await startCore(loadCoreConfig({ CORE_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BANCO_RELAY: 'off', BANCO_CONNECTIONS_MAX: '1' }), { log });
  const held = await TcpClient.open(core.port);
  for (let i = 0; i < 200; i++) {
    const c = await TcpClient.connect(core.port);
    expect(await c.readQuiet(5)).toContain('ERROR|Demasiadas conexiones');
    c.close();
  }
  const refused = () => lines.filter((l) => l.event === 'connection.refused');
  expect(refused()).toHaveLength(1);
  held.close();
  await core.stop(); // stopping flushes the pending summary
  expect(refused()).toHaveLength(2);
  expect(refused()[1]).toMatchObject({ refused: 199, addresses: ['127.0.0.1'] });
});
