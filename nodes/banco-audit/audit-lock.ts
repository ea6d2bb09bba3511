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
import { randomBytes } from 'node:crypto';
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

/** Tries to create the lock, each after moving a provably stale one away. */
const LOCK_ATTEMPTS_MAX = 3;

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

async function readHolder(file: string): Promise<Holder | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') };
  } catch {
    // below
  }
  return 'unreadable';
}

/** Provably gone: on this host, and its pid no longer runs (or is ours, from a previous life). */
function stale(holder: Holder): boolean {
  if (holder.host !== os.hostname()) return false;
  return holder.pid === process.pid || !alive(holder.pid);
}

function refusal(logFile: string, file: string, holder: Holder): AuditLockError {
  return new AuditLockError(`audit log ${logFile} is being written by pid ${holder.pid} on ${holder.host} (since ${holder.since}); one writer per log. If that process is gone, delete ${file}.`);
}

/** Creates the lock fully written or not at all: a temporary file, then link() (fails if taken). */
async function create(file: string, me: Holder): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(me), { mode: 0o644 });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Moves a stale lock out of the way atomically (rename to a unique name). If what was moved is not
 * the stale lock examined — another process replaced it meanwhile — it is put back.
 */
async function removeStale(file: string, examined: Holder): Promise<void> {
  const tomb = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(file, tomb);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readHolder(tomb);
  const same = typeof moved === 'object' && moved.pid === examined.pid && moved.host === examined.host && moved.since === examined.since;
  if (!same) await fs.link(tomb, file).catch(() => undefined);
  await fs.rm(tomb, { force: true });
}

export async function lockAuditLog(logFile: string): Promise<AuditLock> {
  const file = `${logFile}.lock`;
  const me: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  if (heldHere.has(file)) {
    const holder = await readHolder(file);
    throw refusal(logFile, file, typeof holder === 'object' ? holder : me);
  }
  for (let attempt = 0; attempt < LOCK_ATTEMPTS_MAX; attempt++) {
    if (await create(file, me)) {
      heldHere.add(file);
      return { file, release: () => { heldHere.delete(file); return fs.rm(file, { force: true }); } };
    }
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released meanwhile
    if (holder === 'unreadable') throw new AuditLockError(`the lock ${file} of audit log ${logFile} cannot be read; another writer may hold it. If no process writes this log, delete ${file}.`);
    if (!stale(holder)) throw refusal(logFile, file, holder);
    await removeStale(file, holder);
  }
  throw new AuditLockError(`could not take the lock ${file}: another writer keeps taking it`);
}
