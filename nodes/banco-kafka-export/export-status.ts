/**
 * The export node's status, from the client's connection state and the queue's stats — never
 * "connected" unless the last request to the cluster succeeded (a send or a metadata probe).
 */
import type { ConnectionState } from '../banco-kafka/client';
import type { SinkStats } from '../shared/sink/sink-queue';
import type { NodeStatus } from '../shared/node-red';

export type StatusInput =
  | { kind: 'idle'; envVar: string; skipped: number }
  | { kind: 'invalid'; message: string }
  | { kind: 'running'; connection: ConnectionState; stats: SinkStats };

export interface StatusView {
  fill: NonNullable<NodeStatus['fill']>;
  shape: NonNullable<NodeStatus['shape']>;
  /** Locale key under banco-kafka-export.status. */
  key: 'idle' | 'invalid' | 'connecting' | 'connected' | 'backlog' | 'unreachable' | 'authFailed' | 'closed';
  subs: Record<string, string | number>;
}

const ERROR_CHARS_MAX = 60;

function short(text: string): string {
  return text.length > ERROR_CHARS_MAX ? `${text.slice(0, ERROR_CHARS_MAX - 1)}…` : text;
}

export function statusView(input: StatusInput): StatusView {
  if (input.kind === 'idle') return { fill: 'grey', shape: 'ring', key: 'idle', subs: { env: input.envVar, skipped: input.skipped } };
  if (input.kind === 'invalid') return { fill: 'red', shape: 'ring', key: 'invalid', subs: { error: short(input.message) } };
  const { connection: c, stats } = input;
  const counts = { sent: stats.sent, backlog: stats.backlog, failed: stats.failed };
  switch (c.state) {
    case 'closed': return { fill: 'grey', shape: 'ring', key: 'closed', subs: counts };
    case 'connecting': return { fill: 'yellow', shape: 'ring', key: 'connecting', subs: counts };
    case 'unreachable': return { fill: 'red', shape: 'ring', key: 'unreachable', subs: { ...counts, error: short(c.error) } };
    case 'failed': return { fill: 'red', shape: 'dot', key: 'authFailed', subs: { ...counts, error: short(c.error) } };
    case 'connected':
      return stats.backlog > 0
        ? { fill: 'yellow', shape: 'dot', key: 'backlog', subs: counts }
        : { fill: 'green', shape: 'dot', key: 'connected', subs: counts };
  }
}
