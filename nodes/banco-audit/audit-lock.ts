/**
 * One writer per audit chain: two writers appending to one file (two Node-RED instances on a
 * shared volume, or two banco-audit nodes naming the same file) would interleave records that
 * each chain on its own previous hash, and the log would no longer verify.
 *
 * The lock is a file `<log>.lock` created with O_EXCL, holding who took it. A lock left by a
 * process that died (kill -9) is taken over when its holder is provably gone: same host and the
 * pid no longer runs, or the pid is this very process (a container restarts with the same pid).
 * A lock from another host cannot be checked: the writer refuses, and the message says which file
 * to delete once that host is known to be down.
 */
import fs from 'node:fs/promises';
import os from 'node:os';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export interface AuditLock {
  file: string;
  release(): Promise<void>;
}

export class AuditLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditLockError';
  }
}

/** Locks this process holds: a lock file naming our own pid is stale only if it is not one of these. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') } : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale below only on this host
  }
}

function stale(holder: Holder | undefined): boolean {
  if (!holder) return true;
  if (holder.host !== os.hostname()) return false;
  return holder.pid === process.pid || !alive(holder.pid);
}

function refusal(logFile: string, file: string, holder: Holder): AuditLockError {
  return new AuditLockError(`audit log ${logFile} is being written by pid ${holder.pid} on ${holder.host} (since ${holder.since}); one writer per log. If that process is gone, delete ${file}.`);
}

export async function lockAuditLog(logFile: string): Promise<AuditLock> {
  const file = `${logFile}.lock`;
  const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  if (heldHere.has(file)) throw refusal(logFile, file, (await readHolder(file)) ?? me);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me), { flag: 'wx', mode: 0o644 });
      heldHere.add(file);
      return { file, release: () => { heldHere.delete(file); return fs.rm(file, { force: true }); } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (!stale(holder)) throw refusal(logFile, file, holder!);
    await fs.rm(file, { force: true });
  }
  throw new AuditLockError(`could not take the lock ${file}: another writer keeps taking it`);
}
