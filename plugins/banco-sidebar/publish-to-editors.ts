/**
 * Feeds the open editors over Node-RED's comms channel (the editor's /comms WebSocket), throttled:
 *
 *   banco/sidebar/events        new feed entries since the last publish (not retained), ≤ 2/s
 *   banco/sidebar/integrations  every sink's health and counters (retained), when it changed
 *   banco/sidebar/stats         the latest statistics event (retained)
 *
 * Retained topics are replayed by Node-RED to an editor when it subscribes; the event backlog an
 * editor needs on opening comes from GET banco/sidebar/state (banco-sidebar.ts).
 */
import type { EventFeed, FeedEntry } from '../../nodes/shared/event-feed';
import { integrationViews } from './integrations';
import { SIDEBAR_LIMITS } from './limits';

export const TOPICS = {
  events: 'banco/sidebar/events',
  integrations: 'banco/sidebar/integrations',
  stats: 'banco/sidebar/stats',
} as const;

export type Publish = (topic: string, data: unknown, retain: boolean) => void;

export interface EditorFeed {
  stop(): void;
}

export interface PublishLimits {
  publish_interval_ms: number;
  health_interval_ms: number;
}

export function publishToEditors(feed: EventFeed, publish: Publish, limits: PublishLimits = SIDEBAR_LIMITS): EditorFeed {
  let sentSeq = feed.events().at(-1)?.seq ?? 0;
  let statsSeq = 0;
  let lastHealth = '';
  let lastPublishAt = 0;
  let pending: NodeJS.Timeout | undefined;

  const publishHealth = () => {
    const integrations = integrationViews();
    const text = JSON.stringify(integrations);
    if (text === lastHealth) return;
    lastHealth = text;
    publish(TOPICS.integrations, { at: Date.now(), integrations }, true);
  };
  const publishStats = () => {
    const entry: FeedEntry | undefined = feed.latestStats();
    if (!entry || entry.seq === statsSeq) return;
    statsSeq = entry.seq;
    publish(TOPICS.stats, { entry }, true);
  };
  const flush = () => {
    pending = undefined;
    lastPublishAt = Date.now();
    const events = feed.events(sentSeq);
    if (events.length > 0) {
      sentSeq = events[events.length - 1].seq;
      publish(TOPICS.events, { boot: feed.boot, events }, false);
    }
    publishStats();
    publishHealth();
  };
  // Events and statistics share one throttle: a burst (or a flood on the stats topic) costs the
  // editors at most one message per topic per publish_interval_ms.
  const schedule = () => {
    if (pending) return;
    pending = setTimeout(flush, Math.max(0, lastPublishAt + limits.publish_interval_ms - Date.now()));
    pending.unref();
  };

  feed.on('event', schedule);
  feed.on('stats', schedule);
  const health = setInterval(publishHealth, limits.health_interval_ms);
  health.unref();
  publishStats();
  publishHealth();

  return {
    stop() {
      clearTimeout(pending);
      clearInterval(health);
      feed.off('event', schedule);
      feed.off('stats', schedule);
    },
  };
}
