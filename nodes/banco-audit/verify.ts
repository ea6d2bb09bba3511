/**
 * Verifies an audit log: every record's hash, the seq order and the prev links, across rotated
 * files. `paths` is one file, a rotated set in order, or a directory (its set is found and
 * ordered). Verification only reads; a torn last line is reported, never repaired.
 */
import fs from 'node:fs/promises';
import { auditSetInDir } from './audit-files';
import { GENESIS_CURSOR } from './record';
import { scanChain, type BadReason } from './scan-chain';

export interface VerifyReport {
  ok: boolean;
  records: number;
  files: string[];
  firstBad?: { file: string; line: number; seq?: number; reason: BadReason; detail?: string };
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const stat = await fs.stat(p);
    if (stat.isDirectory()) files.push(...(await auditSetInDir(p)));
    else files.push(p);
  }
  return files;
}

export async function verifyAuditLog(paths: string[]): Promise<VerifyReport> {
  const files = await expand(paths);
  const scan = await scanChain(files, GENESIS_CURSOR);
  if (!scan.firstBad) return { ok: true, records: scan.records, files };
  const { file, line, seq, reason, detail } = scan.firstBad;
  return { ok: false, records: scan.records, files, firstBad: { file, line, ...(seq !== undefined ? { seq } : {}), reason, detail } };
}
