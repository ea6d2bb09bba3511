/** A test client for the core's TCP port: raw bytes, legacy lines, and pipelined JSON requests. */
import net from 'node:net';

export class TcpClient {
  private data = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new TcpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and consumes the BIENVENIDO banner. */
  static async open(port: number): Promise<TcpClient> {
    const c = await TcpClient.connect(port);
    await c.readLine();
    return c;
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  private async waitFor<T>(take: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.data.toString())}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; unread: ${JSON.stringify(this.data.toString())}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  readLine(timeoutMs = 5000): Promise<string> {
    return this.waitFor(() => {
      const i = this.data.indexOf(0x0a);
      if (i === -1) return undefined;
      const line = this.data.subarray(0, i).toString('utf8');
      this.data = this.data.subarray(i + 1);
      return line;
    }, timeoutMs);
  }

  /** Everything that arrives until `quietMs` pass with nothing new (for replies without newline). */
  async readQuiet(quietMs = 150, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      if (this.data.length === last && last > 0) break;
      last = this.data.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
    const text = this.data.toString('utf8');
    this.data = Buffer.alloc(0);
    return text;
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Legacy command with a newline; resolves to the reply line. */
  async command(line: string): Promise<string> {
    this.write(line + '\n');
    return this.readLine();
  }

  async json(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.write(JSON.stringify(request) + '\n');
    return JSON.parse(await this.readLine());
  }

  /** Sends all requests at once and returns the responses keyed by id. */
  async pipeline(requests: Array<Record<string, unknown>>): Promise<Map<unknown, Record<string, unknown>>> {
    this.write(requests.map((r) => JSON.stringify(r) + '\n').join(''));
    const out = new Map<unknown, Record<string, unknown>>();
    while (out.size < requests.length) {
      const r = JSON.parse(await this.readLine()) as Record<string, unknown>;
      out.set(r.id, r);
    }
    return out;
  }

  waitClosed(timeoutMs = 5000): Promise<true> {
    return this.waitFor(() => (this.closed ? true : undefined), timeoutMs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
