import fs from 'node:fs';
import path from 'node:path';
import bancoAudit from '../../../nodes/banco-audit/banco-audit';
import { parseRecord } from '../../../nodes/banco-audit/record';
import { verifyAuditLog } from '../../../nodes/banco-audit/verify';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { readLines, tempDir, writeEvents, writeLines } from '../helpers/audit-fixtures';
import { collect, helper, sleep, waitUntil } from '../helpers/red';

function flow(file: string, extra: Record<string, unknown> = {}): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'audit' },
    { id: 'a1', type: 'banco-audit', z: 'tab', file, wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c1', type: 'catch', z: 'tab', scope: ['a1'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'done1', type: 'complete', z: 'tab', scope: ['a1'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: 'tab' },
  ];
}

const event = (id: string) => ({ topic: 'banco/transacciones', payload: { id, cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 1150 } });

describe('banco-audit node in a Node-RED runtime', () => {
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const complete = require('@node-red/nodes/core/common/24-complete.js');
    nodeTypes.push(complete);
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
  });
  const nodeTypes: unknown[] = [bancoAudit];

  async function deploy(file: string, extra: Record<string, unknown> = {}) {
    await helper.load(nodeTypes, flow(file, extra));
    return { out: collect('out'), caught: collect('caught'), completed: collect('completed'), audit: helper.getNode('a1') };
  }

  test('each event is written once and passed on as its record after it is durable', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const d = await deploy(file);
    for (const id of ['e1', 'e2', 'e1', 'e3']) d.audit.receive(event(id));
    await waitUntil('three records out and four messages completed', () => d.out.length >= 3 && d.completed.length >= 4);
    await sleep(100);
    expect(d.out.map((m) => (m.payload as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(d.out[0]).toMatchObject({ topic: 'banco/transacciones', payload: { eventId: 'e1', event: event('e1').payload } });
    expect(readLines(file)).toHaveLength(3);
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 3 });
  });

  test('an event without an id, or not an object, reaches Catch and writes nothing', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const d = await deploy(file);
    d.audit.receive({ payload: { monto: 5 } } as NodeMessage);
    d.audit.receive({ payload: 'not json' } as NodeMessage);
    await waitUntil('two errors', () => d.caught.length >= 2);
    expect((d.caught[0].error as { message: string }).message).toMatch(/no id/);
    expect((d.caught[1].error as { message: string }).message).toMatch(/not valid JSON/);
    expect(d.out).toHaveLength(0);
    expect(fs.existsSync(file) ? readLines(file) : []).toHaveLength(0);
  });

  test('a log with a bad record in the middle is refused: red status, errors to Catch, nothing appended', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await writeEvents(file, 0, 10);
    const lines = readLines(file);
    [lines[2], lines[3]] = [lines[3], lines[2]];
    writeLines(file, lines);
    const before = fs.readFileSync(file);
    const d = await deploy(file);
    d.audit.receive(event('after-break'));
    await waitUntil('refusal caught', () => d.caught.length >= 1);
    expect((d.caught[0].error as { message: string }).message).toMatch(/broken at audit.jsonl line 3 \(reordered/);
    expect(fs.readFileSync(file)).toEqual(before);
    expect(d.out).toHaveLength(0);
  });

  test('a redeploy closes the file after pending writes and the chain continues', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    const f = flow(file, { durability: 'record' });
    await helper.load(nodeTypes, f);
    for (let i = 0; i < 50; i++) helper.getNode('a1').receive(event(`r${i}`));
    await helper.setFlows(f, 'full');
    helper.getNode('a1').receive(event('r0'));
    helper.getNode('a1').receive(event('after'));
    await waitUntil('51 records', () => fs.existsSync(file) && readLines(file).length >= 51);
    await sleep(200);
    expect(readLines(file).map((l) => parseRecord(l)!.eventId).slice(-1)).toEqual(['after']);
    expect(await verifyAuditLog([file])).toMatchObject({ ok: true, records: 51 });
  });
});
