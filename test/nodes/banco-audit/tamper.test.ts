import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runAuditVerify } from '../../../bin/audit-verify';
import { hashBody, parseRecord } from '../../../nodes/banco-audit/record';
import { verifyAuditLog } from '../../../nodes/banco-audit/verify';
import { readLines, tempDir, writeEvents, writeLines } from '../helpers/audit-fixtures';

const RECORDS = 50;
const TARGET = 20; // 1-based line / seq tampered with

async function freshLog(): Promise<{ file: string; lines: string[] }> {
  const file = path.join(tempDir(), 'audit.jsonl');
  await writeEvents(file, 0, RECORDS);
  return { file, lines: readLines(file) };
}

describe('audit verification finds tampering at the right record', () => {
  test('an untouched log verifies', async () => {
    const { file } = await freshLog();
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: RECORDS });
  });

  test('one byte edited in an event is reported as edited at that line', async () => {
    const { file } = await freshLog();
    const bytes = fs.readFileSync(file);
    const lineStart = readLines(file).slice(0, TARGET - 1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const at = bytes.indexOf('"saldo_nuevo":', lineStart) + '"saldo_nuevo":'.length;
    bytes[at] = bytes[at] === 0x39 ? 0x38 : bytes[at] + 1; // change one digit of the balance
    fs.writeFileSync(file, bytes);
    const report = await verifyAuditLog([file]);
    expect(report).toMatchObject({ ok: false, records: TARGET - 1, firstBad: { file, line: TARGET, seq: TARGET, reason: 'edited' } });
  });

  test('a deleted line is reported as missing at the line where the gap starts', async () => {
    const { file, lines } = await freshLog();
    writeLines(file, lines.filter((_, i) => i !== TARGET - 1));
    const report = await verifyAuditLog([file]);
    expect(report).toMatchObject({ ok: false, records: TARGET - 1, firstBad: { line: TARGET, seq: TARGET + 1, reason: 'missing' } });
  });

  test('two swapped lines are reported as reordered at the first of them', async () => {
    const { file, lines } = await freshLog();
    [lines[TARGET - 1], lines[TARGET]] = [lines[TARGET], lines[TARGET - 1]];
    writeLines(file, lines);
    const report = await verifyAuditLog([file]);
    expect(report).toMatchObject({ ok: false, records: TARGET - 1, firstBad: { line: TARGET, seq: TARGET + 1, reason: 'reordered' } });
  });

  test('an edited record whose hash was recomputed breaks the chain at the next record', async () => {
    const { file, lines } = await freshLog();
    const { hash: _old, ...body } = parseRecord(lines[TARGET - 1])!;
    body.event = { ...body.event, monto: 999_999 };
    lines[TARGET - 1] = JSON.stringify({ ...body, hash: hashBody(body) });
    writeLines(file, lines);
    const report = await verifyAuditLog([file]);
    expect(report).toMatchObject({ ok: false, records: TARGET, firstBad: { line: TARGET + 1, reason: 'broken-chain' } });
  });

  test('a line that is not a record is reported as malformed', async () => {
    const { file, lines } = await freshLog();
    lines[TARGET - 1] = lines[TARGET - 1].slice(0, 40);
    writeLines(file, lines);
    expect((await verifyAuditLog([file])).firstBad).toMatchObject({ line: TARGET, reason: 'malformed' });
  });

  test('a last line without its newline is reported as torn, not accepted', async () => {
    const { file, lines } = await freshLog();
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join('') + lines[0].slice(0, 30));
    expect(await verifyAuditLog([file])).toMatchObject({ ok: false, records: RECORDS, firstBad: { line: RECORDS + 1, reason: 'torn' } });
  });
});

describe('audit verify command', () => {
  async function run(args: string[]): Promise<{ code: number; text: string }> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const code = await runAuditVerify(args, out);
    return { code, text: Buffer.concat(chunks).toString('utf8') };
  }

  test('exits 0 for an intact log, 1 for a broken one and 2 without a path', async () => {
    const { file, lines } = await freshLog();
    expect(await run([file])).toMatchObject({ code: 0, text: expect.stringContaining(`${RECORDS} records`) });
    writeLines(file, lines.filter((_, i) => i !== 4));
    expect(await run([path.dirname(file)])).toMatchObject({ code: 1, text: expect.stringContaining('missing') });
    expect((await run([])).code).toBe(2);
    expect((await run([path.join(path.dirname(file), 'nope.jsonl')])).code).toBe(2);
  });
});
