/** The in-process event feed the Banco sidebar reads: bounded, kinds from topics, statistics apart. */
import { EventFeed, FEED_BOUNDS, kindOf } from '../../../nodes/shared/event-feed';

const movement = (i: number) => ({ id: `e${i}`, timestamp: '2026-01-01T00:00:00Z', cedula: '1350509525', tipo: 'DEPOSITO', monto: i, saldo_nuevo: i, version: i });

describe('the event feed', () => {
  it('keeps only the newest events_max events, numbered in order', () => {
    const feed = new EventFeed();
    for (let i = 1; i <= FEED_BOUNDS.events_max + 5; i++) feed.push({ nodeId: 'n', topic: 'banco/transacciones', prefix: 'banco', event: movement(i), eventId: `e${i}` });
    const kept = feed.events();
    expect(kept).toHaveLength(FEED_BOUNDS.events_max);
    expect(kept[0].event.id).toBe('e6');
    expect(kept.at(-1)!.seq).toBe(FEED_BOUNDS.events_max + 5);
    expect(feed.events(kept.at(-2)!.seq).map((e) => e.event.id)).toEqual([`e${FEED_BOUNDS.events_max + 5}`]);
  });

  it('reads the kind from the topic under the broker\'s prefix, and every cédula of the event', () => {
    expect(kindOf('banco/saldo/1350509525', 'banco')).toBe('balance');
    expect(kindOf('hq/transferencias', 'hq')).toBe('transfers');
    expect(kindOf('banco/transferencias', 'hq')).toBe('other');
    expect(kindOf('banco/nada', 'banco')).toBe('other');
    const feed = new EventFeed();
    feed.push({ nodeId: 'n', topic: 'banco/transferencias', prefix: 'banco', event: { id: 't', cedula_origen: '1', cedula_destino: '2' }, eventId: 't' });
    expect(feed.events()[0]).toMatchObject({ kind: 'transfers', cedulas: ['1', '2'] });
  });

  it('keeps the latest statistics apart, so they never push movements out', () => {
    const feed = new EventFeed(2);
    const seen: string[] = [];
    feed.on('stats', (e) => seen.push(String(e.event.id)));
    feed.push({ nodeId: 'n', topic: 'banco/transacciones', prefix: 'banco', event: movement(1), eventId: 'e1' });
    for (let i = 0; i < 5; i++) feed.push({ nodeId: 's', topic: 'banco/estadisticas', prefix: 'banco', event: { id: `s${i}`, total_transacciones: i }, eventId: `s${i}` });
    expect(feed.events().map((e) => e.event.id)).toEqual(['e1']);
    expect(feed.latestStats()?.event).toEqual({ id: 's4', total_transacciones: 4 });
    expect(seen).toHaveLength(5);
    expect(Object.fromEntries(feed.passedByKind())).toEqual({ transactions: 1, stats: 5 });
  });

  it('keeps an event bigger than event_bytes_max as a clipped summary of its known fields', () => {
    const feed = new EventFeed();
    const big = { ...movement(1), nombre: 'x'.repeat(FEED_BOUNDS.event_bytes_max), tipo: 'D'.repeat(500) };
    feed.push({ nodeId: 'n', topic: 'banco/transacciones', prefix: 'banco', event: big, eventId: 'e1' });
    const kept = feed.events()[0].event;
    expect(kept).toMatchObject({ _truncated: true, id: 'e1', cedula: '1350509525', monto: 1 });
    expect(kept.nombre).toBeUndefined();
    expect(String(kept.tipo)).toHaveLength(FEED_BOUNDS.summary_chars_max);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThan(FEED_BOUNDS.event_bytes_max);
  });

  it('shows and counts an event once when several banco-events nodes pass it on', () => {
    const feed = new EventFeed();
    for (const nodeId of ['audit-tab', 'azure-tab']) feed.push({ nodeId, topic: 'banco/transacciones', prefix: 'banco', event: movement(1), eventId: 'e1' });
    feed.push({ nodeId: 'x', topic: 'custom/no-id', prefix: 'banco', event: { cedula: '1' }, eventId: undefined });
    feed.push({ nodeId: 'x', topic: 'custom/no-id', prefix: 'banco', event: { cedula: '1' }, eventId: undefined });
    expect(feed.events().map((e) => [e.nodeId, e.eventId])).toEqual([['audit-tab', 'e1'], ['x', undefined], ['x', undefined]]);
    expect(Object.fromEntries(feed.passedByKind())).toEqual({ transactions: 1, other: 2 });
  });

  it('trusts the payload size banco-events passes, without serialising the event again', () => {
    const feed = new EventFeed();
    feed.push({ nodeId: 'n', topic: 'banco/transacciones', prefix: 'banco', event: movement(1), eventId: 'e1', bytes: FEED_BOUNDS.event_bytes_max + 1 });
    feed.push({ nodeId: 'n', topic: 'banco/transacciones', prefix: 'banco', event: movement(2), eventId: 'e2', bytes: 100 });
    expect(feed.events().map((e) => e.event._truncated === true)).toEqual([true, false]);
  });
});
