/** ANSI colours for the monitor; off with NO_COLOR (https://no-color.org), --no-color, or no TTY. */
import type { Env } from '../config';

export type Color = 'green' | 'yellow' | 'cyan' | 'blue' | 'red' | 'magenta' | 'dim' | 'bold';

const CODES: Record<Color, string> = { green: '32', yellow: '33', cyan: '36', blue: '34', red: '31', magenta: '35', dim: '2', bold: '1' };

export function paint(text: string, color: Color, enabled: boolean): string {
  return enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

export function shouldColor(env: Env, out: NodeJS.WritableStream, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return (out as { isTTY?: boolean }).isTTY === true;
}
