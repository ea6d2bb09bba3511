/**
 * A small pool of JSON-lines connections to the core. Requests go to the open connection with the
 * fewest in flight; a closed connection is reopened in the background with exponential backoff.
 * Backpressure: at most `pendingMax` requests wait for the core per process; the next one is
 * refused at once with NO_DISPONIBLE, so a slow core never becomes an unbounded queue here.
 */
import { HubError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { BRIDGE_LIMITS } from '../limits';
import { CoreConnection, type CoreConnectionOptions, type CoreReply } from './core-connection';

export interface CorePoolOptions extends CoreConnectionOptions {
  connections: number;
  pendingMax: number;
}

export class CorePool {
  private readonly slots: Array<CoreConnection | null>;
  private readonly retryMs: number[];
  private readonly reconnecting: boolean[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingCount = 0;
  private stopped = false;

  constructor(private readonly options: CorePoolOptions, private readonly log: Logger) {
    this.slots = Array.from({ length: options.connections }, () => null);
    this.retryMs = this.slots.map(() => BRIDGE_LIMITS.core_reconnect_initial_ms);
    this.reconnecting = this.slots.map(() => false);
  }

  /** Opens every connection; fails (one clear error) when the core cannot be reached at all. */
  async start(): Promise<void> {
    const opened = await Promise.allSettled(this.slots.map((_, i) => this.open(i)));
    const failure = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (opened.every((r) => r.status === 'rejected')) throw failure?.reason;
  }

  get pending(): number {
    return this.pendingCount;
  }

  async request(body: Record<string, unknown>): Promise<CoreReply> {
    if (this.pendingCount >= this.options.pendingMax) throw new HubError('NO_DISPONIBLE', 'Demasiadas solicitudes en curso; intente de nuevo');
    const conn = this.pick();
    if (conn === null) throw new HubError('NO_DISPONIBLE', 'Sin conexión con el núcleo');
    this.pendingCount++;
    try {
      return await conn.request(body);
    } finally {
      this.pendingCount--;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.slots) c?.close();
  }

  private pick(): CoreConnection | null {
    let best: CoreConnection | null = null;
    for (const c of this.slots) if (c !== null && c.isOpen && (best === null || c.inFlight < best.inFlight)) best = c;
    return best;
  }

  private async open(i: number): Promise<void> {
    let conn: CoreConnection | null = null;
    try {
      conn = await CoreConnection.open(this.options, () => this.lost(i, conn));
      this.slots[i] = conn;
      this.retryMs[i] = BRIDGE_LIMITS.core_reconnect_initial_ms;
    } catch (err) {
      this.lost(i, null);
      throw err;
    }
  }

  /** Slot `i` lost `conn` (null: an open that failed); a close of an older connection is ignored. */
  private lost(i: number, conn: CoreConnection | null): void {
    if (conn !== null && this.slots[i] !== conn) return;
    this.slots[i] = null;
    if (this.stopped || this.reconnecting[i]) return;
    this.reconnecting[i] = true;
    const wait = this.retryMs[i];
    this.retryMs[i] = Math.min(wait * 2, BRIDGE_LIMITS.core_reconnect_max_ms);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reconnecting[i] = false;
      this.open(i).catch((err: unknown) => this.log.warn('bridge.core_reconnect_failed', { slot: i, err }));
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }
}
