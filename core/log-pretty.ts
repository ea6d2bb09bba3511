/**
 * The readable form of a log line (docs/logging.md), for a terminal: time, level, component,
 * the message, then the context as key=value. It is made from the JSON object, so both forms
 * always carry the same facts.
 */
const COLOURS: Record<string, string> = { error: '\x1b[31m', fatal: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[36m', debug: '\x1b[90m', trace: '\x1b[90m' };
const RESET = '\x1b[0m';
/** The fields the head of the line shows; everything else follows as key=value. */
const HEAD = new Set(['time', 'level', 'component', 'instance', 'event', 'msg']);

function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

export function prettyLine(entry: Record<string, unknown>, colour: boolean): string {
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? 'info');
  const lvl = level.toUpperCase().padEnd(5);
  const head = `${time} ${colour ? `${COLOURS[level] ?? ''}${lvl}${RESET}` : lvl} ${String(entry.component ?? '-').padEnd(8)} ${String(entry.msg ?? entry.event ?? '')}`;
  const event = entry.event !== undefined && entry.event !== entry.msg ? [`event=${show(entry.event)}`] : [];
  const rest = Object.entries(entry).filter(([k]) => !HEAD.has(k)).map(([k, v]) => `${k}=${show(v)}`);
  return [head, ...event, ...rest].join(' ');
}
