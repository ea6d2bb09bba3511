/**
 * Node-RED's own log in the hub's format (docs/logging.md): its `logging` setting accepts custom
 * handlers (@node-red/util/lib/log.js); this one turns each Node-RED message into a line of our
 * logger, so it carries the same fields (component `node-red`) and the same redaction as every
 * other line. Node-RED's console handler is not configured, so nothing is printed twice.
 */
import type { LogFields, Logger } from '../core/log';
import type { NodeRedConfig } from './config';

/** What Node-RED hands a log handler: numeric level, a message (text or Error), and the node it concerns. */
interface NodeRedLogMessage {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
  path?: string;
}

/** Node-RED's levels (fatal 10 … trace 60) onto ours; fatal is an error, trace a debug line. */
function levelOf(n: number): 'error' | 'warn' | 'info' | 'debug' {
  if (n <= 20) return 'error';
  if (n <= 30) return 'warn';
  if (n <= 40) return 'info';
  return 'debug';
}

function textOf(msg: unknown): string {
  if (msg instanceof Error) return msg.message;
  if (typeof msg === 'string') return msg;
  try {
    return JSON.stringify(msg) ?? String(msg);
  } catch {
    return String(msg);
  }
}

export function nodeRedLogHandler(log: Logger): (m: NodeRedLogMessage) => void {
  return (m) => {
    const fields: LogFields = { msg: textOf(m.msg).trim() };
    if (m.type !== undefined) fields.node = { type: m.type, id: m.id, name: m.name || undefined };
    log[levelOf(m.level)]('node-red.log', fields);
  };
}

/** The `logging` setting of the embedded Node-RED. */
export function nodeRedLogging(level: NodeRedConfig['logLevel'], log: Logger): Record<string, unknown> {
  return { banco: { level, metrics: false, audit: false, handler: () => nodeRedLogHandler(log) } };
}
