/**
 * `banco audit verify <path…>`: verifies an audit log written by banco-audit. Each path is a
 * file, a rotated set given in order, or a directory holding the set. Exit codes: 0 the chain is
 * intact, 1 it is broken (the first bad record is printed), 2 usage error or unreadable path.
 */
import { verifyAuditLog } from '../nodes/banco-audit/verify';

export const AUDIT_VERIFY_USAGE = 'usage: banco audit verify <file|directory> [more rotated files in order…]';

export async function runAuditVerify(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const paths = args.filter((a) => a !== '--');
  if (paths.length === 0 || paths.some((p) => p === '-h' || p === '--help')) {
    out.write(`${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  }
  let report;
  try {
    report = await verifyAuditLog(paths);
  } catch (err) {
    out.write(`audit verify: cannot read ${paths.join(' ')}: ${(err as Error).message}\n`);
    return 2;
  }
  if (report.files.length === 0) {
    out.write(`audit verify: no audit files found in ${paths.join(' ')}\n`);
    return 2;
  }
  if (report.ok) {
    out.write(`OK: ${report.records} records in ${report.files.length} file(s), hash chain intact\n`);
    return 0;
  }
  const bad = report.firstBad!;
  const seq = bad.seq !== undefined ? ` (seq ${bad.seq})` : '';
  out.write(`BROKEN: ${bad.reason} at ${bad.file} line ${bad.line}${seq}: ${bad.detail ?? ''}\n`);
  out.write(`${report.records} records verified before it\n`);
  return 1;
}
