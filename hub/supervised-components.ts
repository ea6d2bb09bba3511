/**
 * What `npm start` runs, one process each, in start order (docs/architecture.md "Processes").
 * Stop order is the reverse. Adding a component is one line here (it must be a `banco start
 * <name>` component that reports ready, hub/child-ready.ts).
 */
import type { Env } from '../core/config';

export interface SupervisedComponent {
  name: string;
  /** Does `npm start` run it under these settings? */
  enabled(env: Env): boolean;
}

export const SUPERVISED_COMPONENTS: readonly SupervisedComponent[] = [
  // MQTT_URL names an external broker: no embedded one (CONTRACT §1).
  { name: 'broker', enabled: (env) => !env.MQTT_URL },
  // Node-RED before the core: the flows are subscribed before the relay publishes the first event,
  // and the core stops first, flushing its outbox while the flows still consume.
  { name: 'node-red', enabled: () => true },
  { name: 'core', enabled: () => true },
];
