/**
 * A component's stdout and stderr into the one log stream (docs/logging.md). A line that is
 * already one of our JSON log entries passes on as it is (the component redacted it); any other
 * line — a crash's stack trace, a stray console.log — becomes an entry of ours, with the
 * component's name and redaction applied (level error from stderr, info from stdout). Lines are cut at `output_line_chars_max`.
 */
import type { Readable } from 'node:stream';
import type { Logger } from '../core/log';
import { redact, secretValuesOf } from '../core/log-redact';
import { SUPERVISOR_LIMITS } from './limits';

type Entry = Record<string, unknown>;

/** Is this line one of our log entries (the common fields present)? */
export function parseEntry(line: string): Entry | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = JSON.parse(line) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    const e = v as Entry;
    return typeof e.level === 'string' && typeof e.time === 'string' && typeof e.component === 'string' ? e : null;
  } catch {
    return null;
  }
}

/** Calls `onLine` for each line of `stream`, cutting a line at `maxChars` and dropping the rest of it. */
export function eachLine(stream: Readable, onLine: (line: string) => void, maxChars: number = SUPERVISOR_LIMITS.output_line_chars_max): void {
  let held = '';
  let dropping = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (held + chunk).split('\n');
    held = parts.pop() ?? '';
    for (const part of parts) {
      // A whole line can arrive in one chunk (up to the stream's 64 KiB): cut it here too.
      if (!dropping) onLine(part.length > maxChars ? part.slice(0, maxChars) + '…[cut]' : part.replace(/\r$/, ''));
      dropping = false;
    }
    if (held.length > maxChars && !dropping) {
      onLine(held.slice(0, maxChars) + '…[cut]');
      held = '';
      dropping = true;
    } else if (dropping) held = '';
  });
  stream.on('end', () => {
    if (held !== '' && !dropping) onLine(held);
  });
}

export interface OutputSink {
  /** An entry of ours, written in the chosen format. */
  entry(e: Entry): void;
  log: Logger;
}

/**
 * Forwards one stream of a component. `banco: …` lines are the CLI's one-line start-up failure;
 * `onFailureLine` keeps the last one, so the supervisor can report it as its own.
 */
export function forwardOutput(stream: Readable, component: string, level: 'info' | 'error', sink: OutputSink, onFailureLine: (line: string) => void): void {
  const log = sink.log.child({ component });
  const secrets = secretValuesOf(process.env);
  eachLine(stream, (line) => {
    if (line.trim() === '') return;
    const e = parseEntry(line);
    // Redacted again: a line merely shaped like ours (a user's console.log in a function node)
    // has not been through a child's logger.
    if (e !== null) return sink.entry(redact(e, secrets) as Entry);
    if (line.startsWith('banco: ')) return onFailureLine(line.slice('banco: '.length));
    log[level]('component.output', { msg: line });
  });
}
