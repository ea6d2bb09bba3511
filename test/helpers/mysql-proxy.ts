/**
 * A TCP proxy between a MySQL client and the server, for faults a real server cannot be asked to
 * make: a connection cut right around COMMIT, and a server that stops answering. It reads the
 * client's side as MySQL packets (3-byte length, 1-byte sequence, payload) so it can tell a
 * COM_QUERY (0x03) whose text is COMMIT.
 */
import net from 'node:net';

const HEADER_BYTES = 4;
const COM_QUERY = 0x03;

export type CommitFault =
  /** COMMIT reaches the server (which commits), then the client's connection is cut. */
  | 'forward-then-cut'
  /** COMMIT never reaches the server; both sides are cut (the server rolls back). */
  | 'drop-and-cut'
  /** As forward-then-cut, and from then on every connection is refused: nothing can look it up. */
  | 'forward-then-cut-all';

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

function isCommit(packet: Buffer): boolean {
  return packet[HEADER_BYTES] === COM_QUERY && packet.subarray(HEADER_BYTES + 1).toString('utf8').trim().toUpperCase() === 'COMMIT';
}

export class MysqlProxy {
  private readonly pairs = new Set<Pair>();
  private commitFault: CommitFault | null = null;
  private refusing = false;
  private paused = false;
  /** How many COMMITs were intercepted. */
  faults = 0;

  private constructor(private readonly listener: net.Server, private readonly target: { host: string; port: number }) {
    listener.on('connection', (client) => this.accept(client));
  }

  static async start(targetUrl: string): Promise<MysqlProxy> {
    const url = new URL(targetUrl);
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    return new MysqlProxy(listener, { host: url.hostname, port: Number(url.port || 3306) });
  }

  get port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** The next COMMIT any client sends meets `fault`. */
  failNextCommit(fault: CommitFault): void {
    this.commitFault = fault;
  }

  /** After a `forward-then-cut-all`: new connections get through again. */
  acceptAgain(): void {
    this.refusing = false;
  }

  /** The server seems to stop answering: nothing is forwarded either way until `resume`. */
  pause(): void {
    this.paused = true;
    for (const p of this.pairs) {
      p.client.pause();
      p.server.pause();
    }
  }

  resume(): void {
    this.paused = false;
    for (const p of this.pairs) {
      p.client.resume();
      p.server.resume();
    }
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private cutAll(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.server.destroy();
    }
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = net.connect(this.target.port, this.target.host);
    const pair = { client, server };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      server.end();
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
    server.on('data', (chunk) => client.write(chunk));
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER_BYTES && pending.length >= HEADER_BYTES + pending.readUIntLE(0, 3)) {
        const size = HEADER_BYTES + pending.readUIntLE(0, 3);
        const packet = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (this.commitFault !== null && isCommit(packet)) this.interceptCommit(pair, packet, this.commitFault);
        else server.write(packet);
      }
    });
    if (this.paused) {
      client.pause();
      server.pause();
    }
  }

  private interceptCommit(pair: Pair, packet: Buffer, fault: CommitFault): void {
    this.commitFault = null;
    this.faults++;
    if (fault === 'drop-and-cut') {
      pair.server.destroy();
    } else {
      pair.server.end(packet); // the server reads COMMIT, commits, then sees the connection close
    }
    pair.client.destroy();
    if (fault === 'forward-then-cut-all') {
      this.refusing = true;
      for (const p of this.pairs) if (p !== pair) p.client.destroy();
    }
  }
}
