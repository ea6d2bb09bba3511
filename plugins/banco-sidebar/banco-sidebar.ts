/**
 * banco-sidebar, the runtime part of the Banco editor plugin (banco-sidebar.html is the editor
 * part). It feeds the "Banco" sidebar tab and serves the Node-RED side's Prometheus metrics:
 *
 * - comms (the editor's /comms WebSocket): new events, integrations' health, latest statistics,
 *   throttled (publish-to-editors.ts). Node-RED sends comms only to editors that passed its
 *   admin login (permission `status.read`).
 * - GET <admin root>/banco/sidebar/state: what an editor shows on opening (the kept events, the
 *   integrations, the latest statistics, the bounds). Permission `banco.read`.
 * - GET <admin root>/banco/metrics: Prometheus text (metrics.ts). Permission `banco.read`.
 *
 * `banco.read` is granted by Node-RED to users with permission `*` or `read` (its
 * permissions.js); with adminAuth unset the editor, and these routes, are open (loopback only,
 * hub/security.ts).
 */
import type { Request, Response } from 'express';
import type { Registry } from 'prom-client';
import { eventFeed, FEED_BOUNDS } from '../../nodes/shared/event-feed';
import { integrationViews } from './integrations';
import { SIDEBAR_LIMITS } from './limits';
import { nodeRedMetrics } from './metrics';
import { publishToEditors, TOPICS, type EditorFeed } from './publish-to-editors';
import type { RedPluginAPI } from './red-plugin-api';

const ROUTES = { state: '/banco/sidebar/state', metrics: '/banco/metrics' } as const;
const PERMISSION = 'banco.read';

// One per process: Node-RED may be started again in the same process (tests, the hub's restart),
// and the default metrics' event-loop monitor must not be started twice.
let registry: Registry | undefined;
let running: EditorFeed | undefined;

function sendState(_req: Request, res: Response): void {
  res.json({
    boot: eventFeed.boot,
    events: eventFeed.events(),
    integrations: integrationViews(),
    stats: eventFeed.latestStats() ?? null,
    bounds: { events_max: FEED_BOUNDS.events_max, publish_interval_ms: SIDEBAR_LIMITS.publish_interval_ms },
    topics: TOPICS,
  });
}

function sendMetrics(metrics: Registry, log: RedPluginAPI['log']) {
  return (_req: Request, res: Response): void => {
    metrics.metrics().then(
      (text) => res.type(metrics.contentType).send(text),
      (err: Error) => {
        log.warn(`banco-sidebar: metrics failed: ${err.message}`);
        res.status(500).type('text/plain').send('metrics failed\n');
      },
    );
  };
}

export = function registerBancoSidebar(RED: RedPluginAPI): void {
  RED.plugins.registerPlugin('banco-sidebar', { type: 'banco-sidebar' });
  registry ??= nodeRedMetrics(eventFeed);
  const allowed = RED.auth.needsPermission(PERMISSION);
  RED.httpAdmin.get(ROUTES.state, allowed, sendState);
  RED.httpAdmin.get(ROUTES.metrics, allowed, sendMetrics(registry, RED.log));
  running?.stop();
  running = publishToEditors(eventFeed, (topic, data, retain) => RED.comms.publish(topic, data, retain));
};
