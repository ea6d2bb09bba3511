/**
 * At most one mail per cédula per window. The first alert of a cédula mails at once and opens a
 * window; alerts inside it are only counted. When the window ends with a count, one summary mail
 * goes out ("N alertas más desde …", showing the latest of them) and a new window opens; a window
 * that ends with no count is forgotten. At most `cedulasMax` windows are tracked: past it, the
 * oldest window is ended early (its summary sent). The clock and timers are injected (STYLE §7).
 */
export interface Suppressed<A> {
  cedula: string;
  count: number;
  /** When the first counted alert arrived (ms since epoch). */
  since: number;
  /** The latest counted alert: the summary shows it. */
  latest: A;
}

interface Window<A> {
  timer: NodeJS.Timeout;
  count: number;
  since: number;
  latest: A | undefined;
}

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(t: NodeJS.Timeout): void;
}

const SYSTEM_CLOCK: ThrottleClock = { now: Date.now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t) };

export class CedulaThrottle<A> {
  /** Map order = window opening order, so the first key is the oldest window. */
  private readonly windows = new Map<string, Window<A>>();

  constructor(
    private readonly windowMs: number,
    private readonly cedulasMax: number,
    private readonly onSummary: (s: Suppressed<A>) => void,
    private readonly clock: ThrottleClock = SYSTEM_CLOCK,
  ) {}

  /** 'send': mail this alert now; 'counted': it goes into the next summary. */
  admit(cedula: string, alert: A): 'send' | 'counted' {
    if (this.windowMs <= 0) return 'send';
    const open = this.windows.get(cedula);
    if (open) {
      if (open.count === 0) open.since = this.clock.now();
      open.count += 1;
      open.latest = alert;
      return 'counted';
    }
    if (this.windows.size >= this.cedulasMax) this.end(this.windows.keys().next().value as string, false);
    this.open(cedula);
    return 'send';
  }

  /** Alerts counted and not yet summarised, over every cédula. */
  pending(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.count;
    return n;
  }

  /** Stops every timer and returns the summaries still owed (the node sends them while closing). */
  drain(): Suppressed<A>[] {
    const owed: Suppressed<A>[] = [];
    for (const [cedula, w] of this.windows) {
      this.clock.clearTimeout(w.timer);
      if (w.count > 0 && w.latest !== undefined) owed.push({ cedula, count: w.count, since: w.since, latest: w.latest });
    }
    this.windows.clear();
    return owed;
  }

  private open(cedula: string): void {
    const timer = this.clock.setTimeout(() => this.end(cedula, true), this.windowMs);
    timer.unref?.();
    this.windows.set(cedula, { timer, count: 0, since: 0, latest: undefined });
  }

  private end(cedula: string, reopen: boolean): void {
    const w = this.windows.get(cedula);
    if (!w) return;
    this.clock.clearTimeout(w.timer);
    this.windows.delete(cedula);
    if (w.count === 0 || w.latest === undefined) return;
    // The summary is a mail too: the next alert of this cédula waits for a whole window again.
    if (reopen) this.open(cedula);
    this.onSummary({ cedula, count: w.count, since: w.since, latest: w.latest });
  }
}
