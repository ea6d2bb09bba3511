/**
 * The slice of Node-RED's plugin API (@node-red/registry 4.1, lib/util.js createNodeApi) this
 * plugin uses, typed once so the plugin files stay strict. Node-RED ships no TypeScript types.
 */
import type { RequestHandler, Router } from 'express';

export interface RedPluginAPI {
  plugins: { registerPlugin(id: string, definition: { type?: string; onadd?: () => void }): void };
  /** Sends to every connected editor (runtime/lib/api/comms.js); retained ones are replayed to a
   *  new editor when it subscribes. */
  comms: { publish(topic: string, data: unknown, retain: boolean): void };
  /** The admin API's express app (mounted at httpAdminRoot). */
  httpAdmin: Router;
  /** Node-RED admin permission check: 401 without a token or scope when adminAuth is set. */
  auth: { needsPermission(permission: string): RequestHandler };
  log: { warn(text: string): void; info(text: string): void };
  _(key: string, substitutions?: Record<string, string | number>): string;
}
