/**
 * When is the flow done with an event? banco-events holds an event's MQTT acknowledgement until
 * then, so a process killed mid-flow loses nothing: the broker, never acknowledged, redelivers.
 *
 * An event enters the flow as a message tagged with a trace id (`msg._bancoSettle`, copied by
 * Node-RED's cloning like any property). Node-RED's message hooks count its copies:
 *   preDeliver  +1  a copy is on its way to a node;
 *   onComplete  −1  a node that takes `done` called it (sink nodes call it only once their
 *                   sink accepted the message: audit durable, mail accepted, Kafka acked);
 *   postReceive −1  a node whose input handler does not take `done` has run it — nothing more
 *                   can be known of it, and waiting for a `done` it never calls would stall.
 * The event is settled when the count is back to 0, whatever each node's outcome (an error went to
 * Catch: holding the acknowledgement for ever would not bring the event back).
 * When the source node closes (redeploy, stop), its unsettled events are forgotten without
 * acknowledgement (`forgetOwner`): the broker redelivers them to the next connection, and the
 * source must then let them through again — it removes their ids from its dedupe window.
 *
 * Bounds: an event not settled after `settle_wait_ms_max` is acknowledged anyway (a node that
 * takes `done` but never calls it must not hold the broker's in-flight window for ever), and at
 * most `held_events_max` events are held at once; past it new events are acknowledged at once.
 * Both are counted (stats) so the loss of the guarantee is visible, never silent.
 * Known gap: a node that calls done() before send() for the same message, or sends a brand-new
 * message object without the trace property, ends the tree early (Node-RED's conventions are
 * send-then-done and reusing msg).
 */
import type { RedAPI } from './node-red';

export const SETTLE_BOUNDS = {
  /** Longest an acknowledgement is held for one event. */
  settle_wait_ms_max: 30_000,
  /** Events held at once per process. */
  held_events_max: 20_000,
} as const;

export const TRACE_PROPERTY = '_bancoSettle';

interface Tree {
  outstanding: number;
  /** True once the source's send() returned and deliveries were counted. */
  sent: boolean;
  keepUnacked: boolean;
  releases: Array<() => void>;
  eventId: string | undefined;
  /** The banco-events node that sent it. */
  owner: string;
  timer: NodeJS.Timeout;
}

interface HookNode {
  _inputCallback?: ((...args: unknown[]) => void) | null;
  _inputCallbacks?: Array<(...args: unknown[]) => void> | null;
  _expectedDoneCount?: number;
}
interface HookEvent {
  msg?: Record<string, unknown>;
  destination?: { node?: HookNode };
  node?: { node?: HookNode };
  error?: unknown;
}

export interface SettleStats {
  held: number;
  settled: number;
  timedOut: number;
  overflowed: number;
  unacked: number;
}

const LABEL = 'bancoSettle';
/**
 * Deliveries counted per message object: only a copy the hooks saw delivered is counted down, so
 * a message handed to a node without a delivery (Catch and Complete nodes get theirs from
 * node.receive) cannot settle an event early.
 */
const delivered = new WeakMap<object, number>();
const trees = new Map<string, Tree>();
const pendingByEvent = new Map<string, string>();
const stats: Omit<SettleStats, 'held'> = { settled: 0, timedOut: 0, overflowed: 0, unacked: 0 };
let nextId = 0;
let users = 0;

/** Does the node's input handler take `done`? (Node-RED 4: Node.prototype.on counts them.) */
function takesDone(node: HookNode | undefined): boolean {
  if (!node) return false;
  if (node._inputCallback) return node._inputCallback.length >= 3;
  const all = node._inputCallbacks;
  return Array.isArray(all) && all.length > 0 && node._expectedDoneCount === all.length;
}

function treeOf(msg: Record<string, unknown> | undefined): Tree | undefined {
  const id = msg?.[TRACE_PROPERTY];
  return typeof id === 'string' ? trees.get(id) : undefined;
}

function settle(id: string, tree: Tree): void {
  if (trees.get(id) !== tree) return;
  trees.delete(id);
  clearTimeout(tree.timer);
  if (tree.eventId !== undefined && pendingByEvent.get(tree.eventId) === id) pendingByEvent.delete(tree.eventId);
  if (tree.keepUnacked) {
    stats.unacked += 1;
    return;
  }
  stats.settled += 1;
  for (const release of tree.releases) release();
}

function decrement(msg: Record<string, unknown> | undefined): void {
  const tree = treeOf(msg);
  if (!tree) return;
  const copies = delivered.get(msg!) ?? 0;
  if (copies <= 0) return;
  delivered.set(msg!, copies - 1);
  tree.outstanding -= 1;
  if (tree.outstanding <= 0 && tree.sent) settle(msg![TRACE_PROPERTY] as string, tree);
}

const hooks = {
  preDeliver(event: HookEvent): void {
    const tree = treeOf(event.msg);
    if (!tree) return;
    tree.outstanding += 1;
    delivered.set(event.msg!, (delivered.get(event.msg!) ?? 0) + 1);
  },
  postReceive(event: HookEvent): void {
    if (!takesDone(event.destination?.node)) decrement(event.msg);
  },
  onComplete(event: HookEvent): void {
    decrement(event.msg);
  },
};

type HooksApi = NonNullable<RedAPI['hooks']>;

/**
 * Node-RED's hooks: RED.hooks in a runtime (≥ 2.0); the test helper's runtime leaves it out, but
 * its flows run the same @node-red/util hooks, found beside it.
 */
function hooksOf(RED: RedAPI): HooksApi | undefined {
  if (RED.hooks) return RED.hooks;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@node-red/util') as { hooks?: HooksApi }).hooks;
  } catch {
    return undefined;
  }
}

/**
 * Adds the hooks on the first user, removes them after the last (redeploys add and remove).
 * Returns undefined when this Node-RED has no message hooks: then nothing can be held.
 */
export function attachSettleHooks(RED: RedAPI): (() => void) | undefined {
  const api = hooksOf(RED);
  if (!api) return undefined;
  if (users === 0) for (const [name, fn] of Object.entries(hooks)) api.add(`${name}.${LABEL}`, fn);
  users += 1;
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    users -= 1;
    if (users === 0) api.remove(`*.${LABEL}`);
  };
}

/**
 * Starts tracking an event about to be sent; `release` sends its acknowledgement. Returns the
 * trace id to put in msg[TRACE_PROPERTY], or undefined when the bound is reached (then `release`
 * was already called).
 */
export function track(owner: string, release: () => void, eventId: string | undefined): string | undefined {
  if (trees.size >= SETTLE_BOUNDS.held_events_max) {
    stats.overflowed += 1;
    release();
    return undefined;
  }
  const id = `s${(nextId += 1)}`;
  const timer = setTimeout(() => {
    const tree = trees.get(id);
    if (!tree) return;
    stats.timedOut += 1;
    tree.keepUnacked = false;
    settle(id, tree);
  }, SETTLE_BOUNDS.settle_wait_ms_max);
  timer.unref();
  trees.set(id, { outstanding: 0, sent: false, keepUnacked: false, releases: [release], eventId, owner, timer });
  if (eventId !== undefined) pendingByEvent.set(eventId, id);
  return id;
}

/** Call right after the source's send(): a message that went nowhere is settled at once. */
export function sent(id: string): void {
  const tree = trees.get(id);
  if (!tree) return;
  tree.sent = true;
  if (tree.outstanding <= 0) settle(id, tree);
}

/**
 * A redelivered copy of an event still in the flow: its acknowledgement waits for the first
 * copy's. Returns false when no copy is pending (the caller acknowledges at once).
 */
export function followPending(eventId: string, release: () => void): boolean {
  const id = pendingByEvent.get(eventId);
  const tree = id === undefined ? undefined : trees.get(id);
  if (!tree) return false;
  tree.releases.push(release);
  return true;
}

/**
 * The source node is closing: its unfinished events are forgotten without acknowledgement (the
 * broker redelivers them to the next connection). Returns their event ids, which the source must
 * drop from its dedupe window so the redelivered copies pass.
 */
export function forgetOwner(owner: string): string[] {
  const forgotten: string[] = [];
  for (const [id, tree] of trees) {
    if (tree.owner !== owner) continue;
    tree.keepUnacked = true;
    if (tree.eventId !== undefined) forgotten.push(tree.eventId);
    settle(id, tree);
  }
  return forgotten;
}

export function settleStats(): SettleStats {
  return { held: trees.size, ...stats };
}
