/**
 * A TCP proxy in front of a broker that can go silent: while frozen it keeps the sockets open
 * but forwards nothing, like a dead network path. Used to check keepalive-based status.
 */
import net from 'node:net';
import { freePort } from '../../helpers/ports';

export class SilentProxy {
  private frozen = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(targetPort: number): Promise<SilentProxy> {
    const port = await freePort();
    let proxy: SilentProxy | undefined;
    const server = net.createServer((inbound) => proxy?.pipe(inbound, targetPort));
    proxy = new SilentProxy(server, port);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  freeze(): void {
    this.frozen = true;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(inbound: net.Socket, targetPort: number): void {
    const outbound = net.connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      this.sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => this.sockets.delete(s));
    }
    inbound.on('data', (d) => this.frozen || outbound.write(d));
    outbound.on('data', (d) => this.frozen || inbound.write(d));
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  }
}
