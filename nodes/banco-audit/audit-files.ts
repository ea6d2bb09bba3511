/**
 * Names of an audit log's files. The current file is `<stem>.jsonl` (default `audit.jsonl`);
 * rotation renames it to `<stem>.<n>.jsonl` with n = 1, 2, 3…, so the chain runs
 * `<stem>.1.jsonl`, `<stem>.2.jsonl`, …, `<stem>.jsonl`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export const AUDIT_EXT = '.jsonl';
export const DEFAULT_AUDIT_FILE = 'audit.jsonl';

export interface AuditSet {
  current: string;
  /** Rotated files, oldest first. */
  rotated: string[];
  /** The n the next rotation uses. */
  nextIndex: number;
}

function stemOf(current: string): string {
  const base = path.basename(current);
  return base.endsWith(AUDIT_EXT) ? base.slice(0, -AUDIT_EXT.length) : base;
}

export function rotatedPath(current: string, n: number): string {
  return path.join(path.dirname(current), `${stemOf(current)}.${n}${AUDIT_EXT}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function findAuditSet(current: string): Promise<AuditSet> {
  const dir = path.dirname(current);
  const pattern = new RegExp(`^${escapeRegExp(stemOf(current))}\\.(\\d+)${escapeRegExp(AUDIT_EXT)}$`);
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const indexes = names.map((n) => pattern.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  return { current, rotated: indexes.map((n) => rotatedPath(current, n)), nextIndex: (indexes.at(-1) ?? 0) + 1 };
}

/** The files of a set in chain order, the current one last when it exists. */
export async function filesInOrder(set: AuditSet): Promise<string[]> {
  const exists = await fs.stat(set.current).then(() => true, () => false);
  return exists ? [...set.rotated, set.current] : [...set.rotated];
}

/** A directory given to the verifier: the set around the one `*.jsonl` stem it holds. */
export async function auditSetInDir(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir);
  const stems = new Set(names.filter((n) => n.endsWith(AUDIT_EXT)).map((n) => n.slice(0, -AUDIT_EXT.length).replace(/\.\d+$/, '')));
  const stem = stems.has('audit') ? 'audit' : [...stems].sort()[0];
  if (stem === undefined) return [];
  return filesInOrder(await findAuditSet(path.join(dir, `${stem}${AUDIT_EXT}`)));
}

/** `<DATA_DIR>/audit/audit.jsonl`, else under the Node-RED user directory (CONTRACT §1 DATA_DIR). */
export function defaultAuditFile(userDir: string | undefined): string {
  const base = process.env.DATA_DIR || userDir || process.cwd();
  return path.resolve(base, 'audit', DEFAULT_AUDIT_FILE);
}
