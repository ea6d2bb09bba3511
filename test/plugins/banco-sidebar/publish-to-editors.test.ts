/** What the runtime sends the editors over comms, and how often (fake clock only for the throttle). */
import { EventFeed } from '../../../nodes/shared/event-feed';
import { registerSink } from '../../../nodes/shared/sink/registry';
import type { SinkStats } from '../../../nodes/shared/sink/sink-queue';
import { publishToEditors, TOPICS } from '../../../plugins/banco-sidebar/publish-to-editors';

const LIMITS = { publish_interval_ms: 500, health_interval_ms: 1_000 };
const stats = (sent: number): SinkStats => ({ sent, failed: 0, duplicates: 0, backlog: 0, failingAttempts: 0, lastError: undefined, lastSentAt: undefined, closed: false });
const push = (feed: EventFeed, i: number) => feed.push({ nodeId: 'n', topic: 'banco/depositos', prefix: 'banco', event: { id: `e${i}`, cedula: '1350509525' }, eventId: `e${i}` });

describe('publishing to the editors', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a burst of events in at most one message per publish_interval_ms, none lost or repeated', () => {
    const feed = new EventFeed();
    const sent: Array<{ topic: string; data: { events?: Array<{ seq: number }> }; retain: boolean }> = [];
    const editors = publishToEditors(feed, (topic, data, retain) => sent.push({ topic, data: data as never, retain }), LIMITS);
    for (let i = 0; i < 100; i++) {
      push(feed, i);
      jest.advanceTimersByTime(10); // 100 events over 1 s
    }
    jest.advanceTimersByTime(LIMITS.publish_interval_ms);
    const batches = sent.filter((m) => m.topic === TOPICS.events);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(3); // 1.5 s at ≤ 2 per second
    expect(batches.every((b) => b.retain === false)).toBe(true);
    expect(batches.flatMap((b) => b.data.events!.map((e) => e.seq))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    editors.stop();
  });

  it('publishes the integrations retained, again only when they changed', () => {
    let sentCount = 0;
    const unregister = registerSink('audit-1', () => ({ nodeId: 'audit-1', type: 'banco-audit', name: 'audit log', connection: 'connected', detail: '', stats: stats(sentCount), since: 0 }));
    const health: Array<{ data: { integrations: Array<{ integration: string; sent: number }> }; retain: boolean }> = [];
    const editors = publishToEditors(new EventFeed(), (topic, data, retain) => topic === TOPICS.integrations && health.push({ data: data as never, retain }), LIMITS);
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ retain: true, data: { integrations: [{ integration: 'audit', sent: 0 }] } });
    jest.advanceTimersByTime(LIMITS.health_interval_ms * 3);
    expect(health).toHaveLength(1);
    sentCount = 7;
    jest.advanceTimersByTime(LIMITS.health_interval_ms);
    expect(health).toHaveLength(2);
    expect(health[1].data.integrations[0].sent).toBe(7);
    editors.stop();
    unregister();
  });

  it('publishes the latest statistics retained, throttled like the events', () => {
    const feed = new EventFeed();
    const sent: Array<{ data: { entry: { event: { id: string } } }; retain: boolean }> = [];
    const editors = publishToEditors(feed, (topic, data, retain) => topic === TOPICS.stats && sent.push({ data: data as never, retain }), LIMITS);
    for (let i = 0; i < 50; i++) feed.push({ nodeId: 's', topic: 'banco/estadisticas', prefix: 'banco', event: { id: `s${i}` }, eventId: `s${i}` });
    jest.advanceTimersByTime(LIMITS.publish_interval_ms);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ retain: true, data: { entry: { event: { id: 's49' } } } });
    editors.stop();
  });
});
