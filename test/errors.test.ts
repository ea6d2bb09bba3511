/** docs/errors.md documents every wire error code of core/errors.ts (STYLE: errors tested against docs). */
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../core/errors';

const DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'errors.md'), 'utf8');

/** Rows of the `| code | meaning | retriable | when |` table, keyed by code. */
function documentedCodes(): Map<string, { meaning: string; retriable: string; when: string }> {
  const rows = new Map<string, { meaning: string; retriable: string; when: string }>();
  for (const line of DOC.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const match = /^`([A-Z_]+)`$/.exec(cells[1] ?? '');
    if (!match) continue;
    rows.set(match[1], { meaning: cells[2], retriable: cells[3], when: cells[4] });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = documentedCodes();

  test('has a row for every code in ERROR_CODES and no other', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  test.each(Object.entries(ERROR_CODES))('documents %s with its message, its retriable flag and when it happens', (code, { message, retriable }) => {
    const row = rows.get(code);
    expect(row).toBeDefined();
    expect(row!.meaning).toBe(message);
    expect(row!.retriable).toBe(retriable ? 'yes' : 'no');
    expect(row!.when.length).toBeGreaterThan(20);
  });
});
