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

export interface CoreServerOptions {
  host: string;
  port: number;
  legacyText: boolean;
  coreToken: string | null;
  limits: Limits;
  log: Logger;
  /** Called with every statistics snapshot a client asked for (the event bus publishes it). */
  onEstadisticas?: (stats: Estadisticas) => void;
}

export class CoreServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly ctx: ProtocolContext;

  constructor(private readonly ledger: Ledger, private readonly options: CoreServerOptions) {
    this.ctx = { ledger, estadisticas: () => this.estadisticas() };
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

  async estadisticas(): Promise<Estadisticas> {
    const stats = { ...this.connectionStats(), total_transacciones: await this.ledger.totalTransacciones() };
    this.options.onEstadisticas?.(stats);
    return stats;
  }

  private admit(socket: net.Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const { limits } = this.options;
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.connections.size >= limits.connections_max || fromAddress >= limits.connections_per_ip_max) {
      this.options.log.warn('connection.refused', { address, reason: 'too many connections' });
      socket.on('error', () => undefined);
      socket.end('ERROR|Demasiadas conexiones\n');
      return;
    }
    this.perAddress.set(address, fromAddress + 1);
    const connection = new Connection(socket, this.ctx, { limits, legacyText: this.options.legacyText, coreToken: this.options.coreToken, log: this.options.log });
    this.connections.add(connection);
    socket.on('close', () => {
      this.connections.delete(connection);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  /** Stops accepting, lets every connection finish what it is doing, cuts the rest after the grace period. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const graceful = Promise.all([...this.connections].map((c) => c.shutdown()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.limits.shutdown_grace_ms);
    });
    await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }
}
