/**
 * The core's TCP listener: admits connections within the global and per-address bounds, keeps
 * the connection statistics STATS reports, and shuts down gracefully.
 */
import net from 'node:net';
import type { Ledger } from '../ledger/ledger';
import type { Limits } from '../limits';
import type { Logger } from '../log';
import { Connection } from './connection';
import type { Estadisticas, ProtocolContext } from './context';
import { listenOrExplain } from './listen';
import { RefusalLog } from './refusal-log';

export interface CoreServerOptions {
  host: string;
  port: number;
  legacyText: boolean;
  /** Legacy text only: round amounts with more than two decimals half-up (BANCO_LEGACY_ROUND_AMOUNTS). */
  legacyRoundAmounts?: boolean;
  coreToken: string | null;
  limits: Limits;
  log: Logger;
  /** Called with every statistics snapshot a client asked for (the event bus publishes it). */
  onEstadisticas?: (stats: Estadisticas) => void;
  /** Time of every answered request (core/metrics/). */
  observeRequest?: ProtocolContext['observeRequest'];
}

/** How long the transaction count of STATS is reused, and the minimum gap between equal publishes. */
const STATS_CACHE_MS = 1000;

/** After a graceful shutdown, how long ended sockets get to flush their last replies. */
const FLUSH_WAIT_MS = 1000;

/** Resolves true if `promise` settled within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

export class CoreServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly ctx: ProtocolContext;
  private countCache: { atMs: number; commits: number; total: number } | null = null;
  private lastPublished = { key: '', atMs: 0 };
  private readonly refusals: RefusalLog;

  constructor(private readonly ledger: Ledger, private readonly options: CoreServerOptions) {
    this.ctx = { ledger, estadisticas: () => this.estadisticas(), observeRequest: options.observeRequest };
    this.refusals = new RefusalLog(options.log);
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.admit(socket));
    this.server.maxConnections = options.limits.connections_max + 16; // room to answer "too many" politely
  }

  async listen(): Promise<number> {
    await listenOrExplain(this.server, this.options.host, this.options.port, 'CORE_PORT', 'banking core');
    return (this.server.address() as net.AddressInfo).port;
  }

  connectionStats(): { clientes_conectados: number; ips_activas: number } {
    return { clientes_conectados: this.connections.size, ips_activas: this.perAddress.size };
  }

  /**
   * Connection figures are live; the transaction count (a COUNT(*) over the history) is reused
   * until this process commits again or STATS_CACHE_MS passed (other processes' commits show
   * within that time), and a snapshot is published only when it changed or STATS_CACHE_MS
   * passed, so a client hammering STATS costs neither the database nor the broker.
   */
  async estadisticas(): Promise<Estadisticas> {
    const now = Date.now();
    const commits = this.ledger.commitCount;
    if (this.countCache === null || this.countCache.commits !== commits || now - this.countCache.atMs > STATS_CACHE_MS) {
      this.countCache = { atMs: now, commits, total: await this.ledger.totalTransacciones() };
    }
    const stats = { ...this.connectionStats(), total_transacciones: this.countCache.total };
    const key = JSON.stringify(stats);
    if (key !== this.lastPublished.key || now - this.lastPublished.atMs > STATS_CACHE_MS) {
      this.lastPublished = { key, atMs: now };
      this.options.onEstadisticas?.(stats);
    }
    return stats;
  }

  private admit(socket: net.Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const { limits } = this.options;
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.connections.size >= limits.connections_max || fromAddress >= limits.connections_per_ip_max) {
      this.refusals.note(address, 'too many connections');
      socket.on('error', () => undefined);
      socket.end('ERROR|Demasiadas conexiones\n');
      return;
    }
    this.perAddress.set(address, fromAddress + 1);
    const connection = new Connection(socket, this.ctx, { limits, legacyText: this.options.legacyText, legacyRoundAmounts: this.options.legacyRoundAmounts, coreToken: this.options.coreToken, log: this.options.log });
    this.connections.add(connection);
    socket.on('close', () => {
      this.connections.delete(connection);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  /**
   * Stops accepting, lets every connection finish what it is doing (bounded by the grace period),
   * waits until each ended socket has handed its last replies to the kernel, then cuts the rest.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const graceful = await within(Promise.all([...this.connections].map((c) => c.shutdown())), this.options.limits.shutdown_grace_ms);
    const flushed = [...this.connections].map((c) => (c.socket.writableFinished || c.socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => c.socket.once('finish', resolve).once('close', resolve))));
    await within(Promise.all(flushed), graceful ? FLUSH_WAIT_MS : 0);
    for (const c of this.connections) c.socket.destroy();
    this.refusals.close();
    await closed;
  }
}
