/** Starts a real banking core in this process on a free port, on SQLite in a temp dir or on MySQL. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCoreConfig, type Env } from '../../core/config';
import { startCore, type CoreService } from '../../core/core-service';
import type { Clock } from '../../core/clock';
import { silentLogger } from '../../core/log';

export function tempDir(prefix = 'banco-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestCore(env: Env = {}, clock?: Clock): Promise<CoreService & { dataDir: string }> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadCoreConfig({ CORE_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BANCO_RELAY: 'off', ...env });
  const core = await startCore(config, { log: silentLogger, clock });
  return Object.assign(core, { dataDir });
}

/** A clock frozen at a local time, so history timestamps are predictable. */
export function fixedClock(iso = '2026-01-15T10:30:00'): Clock {
  const date = new Date(iso);
  return { now: () => new Date(date) };
}
