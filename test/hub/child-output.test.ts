/**
 * A component's output into the one log stream: our JSON entries pass as they are, any other
 * line (a stack trace, a console.log) becomes an entry naming the component, redacted; the CLI's
 * `banco: …` failure line is handed to the supervisor; an endless line is cut.
 */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../core/log';
import { eachLine, forwardOutput, parseEntry } from '../../hub/child-output';

function sink(): { entries: Array<Record<string, unknown>>; lines: string[]; out: Parameters<typeof forwardOutput>[3] } {
  const entries: Array<Record<string, unknown>> = [];
  const lines: string[] = [];
  return { entries, lines, out: { entry: (e) => entries.push(e), log: createLogger({ component: 'supervisor', secrets: ['a-secret-value-1'], write: (l) => lines.push(l) }) } };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('forwardOutput', () => {
  it('passes our entries on, wraps other lines as the component\'s, and keeps the failure line', async () => {
    const stream = new PassThrough();
    const s = sink();
    const failures: string[] = [];
    forwardOutput(stream, 'node-red', 'error', s.out, (l) => failures.push(l));
    const entry = { level: 'info', time: '2026-01-01T00:00:00.000Z', instance: 'h/1', component: 'core', event: 'core.listening', msg: 'core.listening' };
    stream.write(JSON.stringify(entry) + '\nError: boom a-secret-value-1\n    at x (y.js:1:1)\n\nbanco: port 5000 is already in use\n');
    await flush();
    expect(s.entries).toEqual([entry]);
    expect(s.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'error', component: 'node-red', event: 'component.output', msg: 'Error: boom [redacted]' }),
      expect.objectContaining({ level: 'error', component: 'node-red', event: 'component.output', msg: '    at x (y.js:1:1)' }),
    ]);
    expect(failures).toEqual(['port 5000 is already in use']);
  });

  it('redacts a line merely shaped like ours (a user\'s console.log of JSON in a function node)', async () => {
    const stream = new PassThrough();
    const s = sink();
    forwardOutput(stream, 'node-red', 'info', s.out, () => undefined);
    const forged = { level: 'info', time: '2026-01-01T00:00:00.000Z', instance: 'h/1', component: 'node-red', event: 'x', msg: 'login mqtt://u:hunter22@h:1', password: 'hunter22' };
    stream.write(JSON.stringify(forged) + '\n');
    await flush();
    expect(JSON.stringify(s.entries)).not.toContain('hunter22');
    expect(s.entries[0]).toMatchObject({ password: '[redacted]', msg: 'login mqtt://***@h:1' });
  });

  it('cuts a long line that arrives whole in one chunk, like one spread over several', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    eachLine(stream, (l) => lines.push(l), 10);
    stream.write('x'.repeat(50) + '\nshort\n');
    await flush();
    expect(lines).toEqual(['x'.repeat(10) + '…[cut]', 'short']);
  });

  it('does not take a JSON line without the common fields for one of ours', () => {
    expect(parseEntry('{"level":"info"}')).toBeNull();
    expect(parseEntry('[1]')).toBeNull();
    expect(parseEntry('{not json')).toBeNull();
  });
});

describe('eachLine', () => {
  it('cuts a line at the bound and drops the rest of it, then goes on with the next line', async () => {
    const stream = new PassThrough();
    const got: string[] = [];
    eachLine(stream, (l) => got.push(l), 10);
    stream.write('x'.repeat(25));
    stream.write('y'.repeat(25) + '\nnext\n');
    stream.end('tail');
    await new Promise((r) => stream.on('end', r));
    await flush();
    expect(got).toEqual(['x'.repeat(10) + '…[cut]', 'next', 'tail']);
  });
});
