/**
 * Structured logs (docs/logging.md): one JSON object per line on stderr, written by pino, with
 * the same fields from every component of the hub — time, level, component, instance, event,
 * msg — then the context. `event` names what happened (`core.listening`); `msg` is the human
 * text (the event name when there is none). Secrets are redacted before pino sees a field
 * (log-redact.ts). On a terminal, or with BANCO_LOG_FORMAT=pretty, the same lines are printed in
 * a readable form (log-pretty.ts).
 */
import os from 'node:os';
import pino from 'pino';
import { ConfigError } from './errors';
import { prettyLine } from './log-pretty';
import { redact as redactWith, safeUrl, secretValuesOf } from './log-redact';

export { safeUrl };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LogOptions {
  level?: LogLevel;
  /** Receives each line without its newline; default: stderr. */
  write?: (line: string) => void;
  base?: LogFields;
  format?: LogFormat;
  /** Colours in the pretty form; default: stderr is a terminal. */
  colour?: boolean;
  /** The component a line names when its fields do not: 'core', 'broker', 'node-red', 'supervisor', … */
  component?: string;
  /** Which process of the hub wrote the line; default host/pid. */
  instance?: string;
  /** Literal values scrubbed from every string; default: the secret-looking settings of the environment. */
  secrets?: readonly string[];
}

/** Set by pino itself or fixed per logger: a caller's field of that name would duplicate it. */
const RESERVED = ['time', 'level', 'instance', 'component', 'event', 'msg'];

export function redact(value: unknown): unknown {
  return redactWith(value, secretValuesOf(process.env));
}

export function defaultInstance(): string {
  return `${os.hostname()}/${process.pid}`;
}

/** Writes an already-made log entry (an object with the common fields) in the chosen form. */
export function entryWriter(format: LogFormat, write: (line: string) => void, colour = false): (entry: Record<string, unknown>) => void {
  return format === 'json' ? (entry) => write(JSON.stringify(entry)) : (entry) => write(prettyLine(entry, colour));
}

function destination(options: LogOptions): pino.DestinationStream {
  const format = options.format ?? 'json';
  if (format === 'json' && options.write === undefined) return pino.destination({ dest: 2, sync: true });
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const entry = entryWriter(format, write, options.colour ?? process.stderr.isTTY === true);
  return { write: (s: string) => (format === 'json' ? write(s.trimEnd()) : entry(JSON.parse(s) as Record<string, unknown>)) };
}

export function createLogger(options: LogOptions = {}): Logger {
  const secrets = options.secrets ?? secretValuesOf(process.env);
  const root = pino(
    {
      level: options.level ?? 'info',
      base: { instance: options.instance ?? defaultInstance() },
      messageKey: 'msg',
      // Errors arrive already reduced to {name, message, code} by redact: no stack in a log line.
      serializers: { err: (e: unknown) => e },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination(options),
  );
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, event: string, fields: LogFields = {}): void => {
      if (!root.isLevelEnabled(level)) return;
      const context = redactWith({ ...base, ...fields }, secrets) as LogFields;
      const msg = typeof context.msg === 'string' ? context.msg : event;
      const component = typeof context.component === 'string' ? context.component : (options.component ?? 'hub');
      for (const k of RESERVED) delete context[k];
      root[level]({ component, event, ...context }, msg);
    };
    return {
      debug: (e, f) => emit('debug', e, f),
      info: (e, f) => emit('info', e, f),
      warn: (e, f) => emit('warn', e, f),
      error: (e, f) => emit('error', e, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

export const silentLogger: Logger = createLogger({ write: () => undefined });

export function levelFromEnv(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}

/** BANCO_LOG_FORMAT=json|pretty; unset: pretty on a terminal, JSON otherwise (files, pipes, the supervisor). */
export function logFormatFromEnv(value: string | undefined, terminal: boolean): LogFormat {
  if (value === undefined || value === '') return terminal ? 'pretty' : 'json';
  if (value === 'json' || value === 'pretty') return value;
  throw new ConfigError(`BANCO_LOG_FORMAT=${value} must be json or pretty.`);
}
