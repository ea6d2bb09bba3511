/**
 * A publisher crash in the default audit flow (flows/hub.json: banco-events → banco-audit): the
 * broker's last will on banco/alertas is an event with its own id (CONTRACT §5), so it is
 * recorded like any other — a crash is worth an audit record — and never reaches Catch.
 */
import path from 'node:path';
import { lastWill } from '../../../core/outbox/mqtt-publisher';
import bancoAudit from '../../../nodes/banco-audit/banco-audit';
import { tempDir } from '../helpers/audit-fixtures';
import { collect, helper, sleep, waitUntil } from '../helpers/red';

describe('banco-audit and the publisher\'s last will', () => {
  beforeAll(async () => {
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('records each connection\'s will once, as an event, with no error', async () => {
    const file = path.join(tempDir(), 'audit.jsonl');
    await helper.load([bancoAudit], [
      { id: 'tab', type: 'tab', label: 'audit' },
      { id: 'a1', type: 'banco-audit', z: 'tab', file, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'c1', type: 'catch', z: 'tab', scope: ['a1'], uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ]);
    const out = collect('out');
    const caught = collect('caught');
    const audit = helper.getNode('a1');
    const first = lastWill('banco-core-a-1', 'a', new Date('2026-01-15T10:00:00Z'));
    const second = lastWill('banco-core-a-1', 'a', new Date('2026-01-15T10:05:00Z')); // after a reconnection
    for (const will of [first, second, first]) audit.receive({ topic: 'banco/alertas', payload: JSON.stringify(will) });
    await waitUntil('two records', () => out.length >= 2);
    await sleep(100);
    expect(caught).toHaveLength(0);
    expect(out.map((m) => (m.payload as { eventId: string }).eventId)).toEqual([first.id, second.id]);
  });
});
