/**
 * Wires a Node-RED node to a SinkQueue, so each sink node (banco-audit, banco-email,
 * banco-kafka-export, banco-azure-iot) is mostly its own transport:
 *
 *   input → prepare(msg) → queue.push → (accepted) send(output) + done()
 *                                    → (refused)  done(err)  — Catch sees the SinkError
 *
 * - `done()` only after the transport reported the item accepted (SinkQueue's contract).
 * - Status tells the truth: the transport's connection state first (a dead broker is not
 *   "connected"), then retrying / failed / sent counters, refreshed at most every
 *   SINK_NODE_BOUNDS.status_interval_ms with a trailing update so the last state always shows.
 * - Close: the queue is flushed for up to close_flush_ms (inside Node-RED's 15 s close limit),
 *   then the transport is closed.
 * - The sink is listed in the registry (sidebar, metrics) while the node runs.
 *
 * Status texts come from the node's own catalog, keys `<type>.status.*`:
 *   sent "__sent__ sent · __backlog__ waiting", retrying "retry __attempts__: __error__ · __backlog__ waiting",
 *   failed "__code__: __error__", connecting, disconnected "disconnected · __backlog__ waiting".
 * An idle or error connection shows the transport's own `detail` (already localised).
 */
import type { DoneFn, NodeMessage, NodeStatus, RedAPI, RedNode, SendFn } from '../node-red';
import { registerSink, type ConnectionState } from './registry';
import { SinkError, isSinkError } from './sink-error';
import type { PushResult, SinkQueue, SinkStats } from './sink-queue';

export const SINK_NODE_BOUNDS = {
  /** Status refreshed at most this often while items flow. */
  status_interval_ms: 500,
  /** Flush time on close: Node-RED allows a close handler 15 s; the transport's own close gets the rest. */
  close_flush_ms: 8_000,
  /** Longest error text shown in a status. */
  status_error_chars_max: 60,
} as const;

export interface Prepared<T> {
  /** The event id for dedupe (undefined: no dedupe). */
  id: string | undefined;
  value: T;
}

export interface Connection {
  state: ConnectionState;
  /** Localised text for idle/error states, e.g. "set KAFKA_BROKERS". */
  detail?: string;
}

export interface SinkNodeOptions<T> {
  RED: RedAPI;
  node: RedNode;
  queue: SinkQueue<T>;
  /** Message → item to send; a SinkError (code bad_input) is reported to Catch; null: nothing
   *  to send for this message (filtered, throttled), which completes at once without output. */
  prepare(msg: NodeMessage): Prepared<T> | SinkError | null | Promise<Prepared<T> | SinkError | null>;
  connection(): Connection;
  /** What goes out after delivery (default: the input message); null sends nothing. `value` is
   *  the prepared item, which the transport may have filled in (e.g. the written record). */
  output?(msg: NodeMessage, result: PushResult, value: T): NodeMessage | null;
  /** Closes the transport after the queue was flushed. */
  closeTransport?(): Promise<void>;
  closeFlushMs?: number;
}

export interface SinkNodeHandle {
  /** Call when the transport's connection state changed. */
  refreshStatus(): void;
}

function clip(text: string): string {
  const max = SINK_NODE_BOUNDS.status_error_chars_max;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The status for a connection state and the queue's counters (exported for tests). */
export function sinkStatus(RED: RedAPI, type: string, conn: Connection, stats: SinkStats): NodeStatus {
  const t = (key: string, subs?: Record<string, string | number>) => RED._(`${type}.status.${key}`, subs);
  const backlog = stats.backlog;
  if (conn.state === 'idle') return { fill: 'grey', shape: 'ring', text: conn.detail ?? '' };
  if (conn.state === 'error') return { fill: 'red', shape: 'dot', text: clip(conn.detail ?? stats.lastError?.message ?? '') };
  if (stats.failingAttempts > 0 && stats.lastError) {
    return { fill: 'red', shape: 'ring', text: t('retrying', { attempts: stats.failingAttempts, error: clip(stats.lastError.message), backlog }) };
  }
  if (conn.state === 'disconnected') return { fill: 'red', shape: 'ring', text: t('disconnected', { backlog }) };
  if (conn.state === 'connecting') return { fill: 'yellow', shape: 'ring', text: t('connecting') };
  const lastError = stats.lastError;
  if (lastError && (stats.lastSentAt === undefined || lastError.at > stats.lastSentAt)) {
    return { fill: 'red', shape: 'dot', text: t('failed', { code: lastError.code, error: clip(lastError.message) }) };
  }
  return { fill: 'green', shape: 'dot', text: t('sent', { sent: stats.sent, backlog }) };
}

export function runSinkNode<T>(opts: SinkNodeOptions<T>): SinkNodeHandle {
  const { RED, node, queue } = opts;
  let since = Date.now();
  let lastState = opts.connection().state;
  let shownAt = 0;
  let trailing: NodeJS.Timeout | undefined;

  const show = () => {
    trailing = undefined;
    shownAt = Date.now();
    node.status(sinkStatus(RED, node.type, opts.connection(), queue.stats()));
  };
  const refreshStatus = () => {
    const state = opts.connection().state;
    if (state !== lastState) { lastState = state; since = Date.now(); }
    if (trailing) return;
    const wait = shownAt + SINK_NODE_BOUNDS.status_interval_ms - Date.now();
    if (wait <= 0) show();
    else trailing = setTimeout(show, wait);
  };
  queue.on('change', refreshStatus);
  const unregister = registerSink(node.id, () => {
    const conn = opts.connection();
    return { nodeId: node.id, type: node.type, name: node.name ?? '', connection: conn.state, detail: conn.detail ?? '', stats: queue.stats(), since };
  });
  show();

  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    void handleInput(opts, msg, send, done).finally(refreshStatus);
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    clearTimeout(trailing);
    queue.off('change', refreshStatus);
    unregister();
    queue.close(opts.closeFlushMs ?? SINK_NODE_BOUNDS.close_flush_ms)
      .then((r) => { if (r.unsent > 0) node.warn(`closed with ${r.unsent} item(s) not delivered; their messages ended with an error`); })
      .then(() => opts.closeTransport?.())
      .catch((err: unknown) => node.warn(`close: ${(err as Error)?.message ?? String(err)}`))
      .finally(done);
  });

  return { refreshStatus };
}

async function handleInput<T>(opts: SinkNodeOptions<T>, msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
  try {
    const prepared = await opts.prepare(msg);
    if (prepared === null) return done();
    if (isSinkError(prepared)) return done(prepared);
    const result = await opts.queue.push(prepared.id, prepared.value);
    const out = opts.output ? opts.output(msg, result, prepared.value) : msg;
    if (out) send(out);
    done();
  } catch (err) {
    done(isSinkError(err) ? err : new SinkError('permanent', (err as Error)?.message ?? String(err), { cause: err }));
  }
}
