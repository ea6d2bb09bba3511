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
  /**
   * Scheduling priority (Unix nice, 0–19; higher yields the CPU to others). Node-RED runs users'
   * code: on a busy machine the core's answers come first.
   */
  niceness?: number;
}

/** Node-RED below the bank's processes, yet not starved: nice 10 gets about a tenth of a contended CPU's share of nice 0. */
const NODE_RED_NICENESS = 10;

export const SUPERVISED_COMPONENTS: readonly SupervisedComponent[] = [
  // MQTT_URL names an external broker: no embedded one (CONTRACT §1).
  { name: 'broker', enabled: (env) => !env.MQTT_URL },
  // Node-RED before the core: the flows are subscribed before the relay publishes the first event,
  // and the core stops first, flushing its outbox while the flows still consume.
  { name: 'node-red', enabled: () => true, niceness: NODE_RED_NICENESS },
  { name: 'core', enabled: () => true },
  // The customer bridge talks to the core: after it, and stopped before it.
  { name: 'bridge', enabled: () => true },
];
