/**
 * One client's TCP connection to a core, surviving kills: `openLink` tries the cores in turn
 * (the other one first after a drop) until one answers with its banner. A read resolves to null
 * when the connection drops or the reply does not come in time, never throws.
 */
import net from 'node:net';
import { CHAOS_LIMITS } from './limits';

const BANNER = 'BIENVENIDO|';

export class Link {
  private buffer = '';
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    // A reset from a killed core shows up as 'close' right after; the read then answers null.
    socket.on('error', () => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(text: string): void {
    if (!this.closed) this.socket.write(text);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** The next `\n`-terminated line (JSON mode, banner), or null. */
  async readLine(timeoutMs: number = CHAOS_LIMITS.reply_timeout_ms): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buffer.indexOf('\n');
      if (i !== -1) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        return line;
      }
      if (!(await this.waitData(deadline))) return null;
    }
  }

  /**
   * A legacy reply to a command sent without newline: it has no newline either (CONTRACT §3), so
   * it is what arrived once the socket stays quiet for `legacy_reply_quiet_ms` after the first byte.
   */
  async readReply(timeoutMs: number = CHAOS_LIMITS.reply_timeout_ms): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length === 0) if (!(await this.waitData(deadline))) return null;
    let seen = -1;
    while (seen !== this.buffer.length) {
      seen = this.buffer.length;
      await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.legacy_reply_quiet_ms));
    }
    const reply = this.buffer;
    this.buffer = '';
    return reply;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits for more bytes; false if the connection closed or the deadline passed. */
  private async waitData(deadline: number): Promise<boolean> {
    if (this.closed) return false;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const before = this.buffer.length;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return this.buffer.length > before || (!this.closed && Date.now() < deadline);
  }

  static connect(port: number): Promise<Link | null> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(new Link(socket)));
      socket.once('error', () => resolve(null)); // refused while the core restarts: try the next one
    });
  }
}

/**
 * Connects to `ports[start]`, else the next port, … until a core sends its banner or `giveUp()`
 * says stop. Returns the link and the index of the port it reached.
 */
export async function openLink(ports: readonly number[], start: number, giveUp: () => boolean): Promise<{ link: Link; index: number } | null> {
  for (let attempt = 0; !giveUp(); attempt++) {
    const index = (start + attempt) % ports.length;
    const link = await Link.connect(ports[index]);
    if (link) {
      const banner = await link.readLine();
      if (banner !== null && banner.startsWith(BANNER)) return { link, index };
      link.close();
    }
    if ((attempt + 1) % ports.length === 0) await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.reconnect_pause_ms));
  }
  return null;
}
