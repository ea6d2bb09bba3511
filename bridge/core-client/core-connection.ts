/**
 * One JSON-lines connection to the core (CONTRACT §4): requests carry a numeric id, answers are
 * matched by it (they may come out of order), each request has a timeout, and a connection that
 * closes fails its pending requests with NO_DISPONIBLE. With a service token, `auth` goes first;
 * the core handles a connection's lines in order, so requests pipelined behind it are authorised.
 */
import net from 'node:net';
import { HubError } from '../../core/errors';

export type CoreReply = Record<string, unknown> & { ok: boolean };

interface Pending {
  resolve: (reply: CoreReply) => void;
  reject: (err: HubError) => void;
  timer: NodeJS.Timeout;
}

export interface CoreConnectionOptions {
  host: string;
  port: number;
  token: string | null;
  timeoutMs: number;
  lineBytesMax: number;
}

export class CoreConnection {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered = '';
  private closed = false;

  private constructor(private readonly socket: net.Socket, private readonly options: CoreConnectionOptions, private readonly onClose: () => void) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows and fails what is pending
    socket.on('close', () => this.fail(new HubError('NO_DISPONIBLE', 'Conexión con el núcleo perdida')));
  }

  /** Opens and (with a token) authenticates, or rejects with NO_DISPONIBLE / NO_AUTORIZADO. */
  static async open(options: CoreConnectionOptions, onClose: () => void): Promise<CoreConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => s.destroy(new Error('connect timeout')), options.timeoutMs);
      s.once('connect', () => (clearTimeout(timer), s.removeAllListeners('error'), resolve(s)));
      s.once('error', (err) => (clearTimeout(timer), reject(new HubError('NO_DISPONIBLE', 'El núcleo no responde', { cause: err }))));
    });
    const conn = new CoreConnection(socket, options, onClose);
    if (options.token !== null) {
      // Any failure here (refused, timed out) closes the socket: a half-opened connection must
      // not linger and later report a close for a slot that holds a newer one.
      const reply = await conn.request({ op: 'auth', token: options.token }).catch((err: unknown) => {
        conn.close();
        throw err;
      });
      if (!reply.ok) {
        conn.close();
        throw new HubError('NO_AUTORIZADO', 'El núcleo rechazó el token de servicio (BANCO_CORE_TOKEN)');
      }
    }
    return conn;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  request(body: Record<string, unknown>): Promise<CoreReply> {
    if (this.closed) return Promise.reject(new HubError('NO_DISPONIBLE', 'Conexión con el núcleo cerrada'));
    const id = this.nextId++;
    return new Promise<CoreReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HubError('NO_DISPONIBLE', 'El núcleo no respondió a tiempo'));
      }, this.options.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(JSON.stringify({ ...body, id }) + '\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    if (this.buffered.length > this.options.lineBytesMax) return void this.socket.destroy();
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) !== -1) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      this.answer(line);
    }
  }

  private answer(line: string): void {
    // The core greets every connection with the legacy banner (CONTRACT §3) before it knows the
    // protocol; only JSON lines are answers.
    if (!line.startsWith('{')) return;
    let reply: CoreReply;
    try {
      reply = JSON.parse(line) as CoreReply;
    } catch {
      return void this.socket.destroy(); // a core that speaks garbage is not one to trust further
    }
    const waiting = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
    if (waiting === undefined) return; // timed out already
    this.pending.delete(reply.id as number);
    clearTimeout(waiting.timer);
    waiting.resolve(reply);
  }

  private fail(err: HubError): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.onClose();
  }
}
