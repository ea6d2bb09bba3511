/**
 * One client connection: picks the protocol from the first byte (`{` → JSON lines, anything
 * else → legacy text), frames lines, enforces the per-connection bounds (line length, request
 * rate, pipeline depth, unread output) and writes replies.
 *
 * Legacy framing (CONTRACT §3): a line ends at `\n`; legacy clients also send one command per
 * write with no newline at all. Bytes without a newline wait `legacy_fragment_wait_ms` for more:
 * if more arrive, they are part of the same line (TCP may split one line across segments, and a
 * long line always arrives in pieces); if the connection goes quiet, they are a whole command,
 * as the old server's recv() took them.
 */
import type { Socket } from 'node:net';
import { HubError } from '../errors';
import type { Limits } from '../limits';
import type { Logger } from '../log';
import type { ProtocolContext } from './context';
import { errorResponse, handleJsonRequest, parseRequest, type JsonSession, type Response } from './json-lines';
import { handleLegacyCommand, LEGACY } from './legacy-text';
import { LineBuffer } from './line-buffer';
import { RateLimiter } from './rate-limiter';

export const BANNER = 'BIENVENIDO|Sistema Bancario Distribuido v1.0\n';

export interface ConnectionOptions {
  limits: Limits;
  legacyText: boolean;
  coreToken: string | null;
  log: Logger;
}

type Mode = 'unknown' | 'legacy' | 'json';

export class Connection {
  private mode: Mode = 'unknown';
  private readonly buffer: LineBuffer;
  private readonly limiter: RateLimiter;
  private readonly session: JsonSession = { authenticated: false };
  private readonly legacyQueue: Array<{ text: string; newline: boolean }> = [];
  private readonly jsonBacklog: string[] = [];
  private legacyRunning = false;
  private fragmentTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readsPaused = false;
  private closing = false;
  private peerEnded = false;
  private readonly drainedWaiters: Array<() => void> = [];

  constructor(readonly socket: Socket, private readonly ctx: ProtocolContext, private readonly options: ConnectionOptions) {
    const { limits } = options;
    this.buffer = new LineBuffer(limits.line_bytes_max);
    this.limiter = new RateLimiter(limits.requests_per_second_max, limits.requests_burst_max);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idle_timeout_ms, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onPeerEnd());
    socket.on('drain', () => this.updateFlow());
    socket.on('close', () => this.wakeDrained());
    socket.on('error', (err) => options.log.debug('connection.error', { err }));
    socket.write(BANNER);
  }

  /** Stop reading, let in-flight requests answer, then close. */
  async shutdown(): Promise<void> {
    this.closing = true;
    this.updateFlow();
    await this.drained();
    if (!this.socket.destroyed) this.socket.end();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    if (this.mode === 'unknown') this.chooseMode(chunk);
    if (this.mode === 'json') this.onJsonData(chunk);
    else if (this.mode === 'legacy') this.onLegacyData(chunk);
  }

  private chooseMode(chunk: Buffer): void {
    if (chunk[0] === 0x7b /* { */) this.mode = 'json';
    else if (this.options.legacyText) this.mode = 'legacy';
    else {
      this.closing = true;
      this.socket.end(LEGACY.deshabilitado + '\n');
    }
  }

  // ---- JSON lines -------------------------------------------------------------------------

  private onJsonData(chunk: Buffer): void {
    const r = this.buffer.push(chunk);
    this.jsonBacklog.push(...r.lines);
    this.startJsonLines();
    if (r.overflow) this.refuseLongLine(JSON.stringify(errorResponse(null, 'LINEA_DEMASIADO_LARGA', `Línea de más de ${this.options.limits.line_bytes_max} bytes`)));
  }

  /**
   * One read may hold thousands of small requests; only `pipeline_depth_max` run at once, the
   * rest wait here (at most one read's worth: reading is paused meanwhile).
   */
  private startJsonLines(): void {
    while (this.jsonBacklog.length > 0 && this.inFlight < this.options.limits.pipeline_depth_max) this.onJsonLine(this.jsonBacklog.shift()!);
    this.updateFlow();
  }

  private onJsonLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseRequest(line);
    if (!parsed.ok) return this.sendJson(parsed.response);
    const id = parsed.request.id ?? null;
    if (!this.limiter.tryTake()) return this.sendJson(errorResponse(id, 'LIMITE_EXCEDIDO', 'Demasiadas solicitudes, intente más tarde'));
    this.inFlight++;
    this.updateFlow();
    Promise.resolve()
      .then(() => handleJsonRequest(this.ctx, this.options.coreToken, this.session, parsed.request))
      .catch((err: unknown) => this.failure(id, err))
      .then((response) => {
        this.inFlight--;
        this.sendJson(response);
        this.startJsonLines();
        this.wakeDrained();
      });
  }

  private failure(id: unknown, err: unknown): Response {
    if (err instanceof HubError) {
      this.options.log.warn('request.failed', { code: err.code, err: err.cause ?? err });
      return errorResponse(id, err.code);
    }
    this.options.log.error('request.crashed', { err });
    return errorResponse(id, 'INTERNO');
  }

  private sendJson(response: Response): void {
    this.write(JSON.stringify(response) + '\n');
  }

  // ---- legacy text ------------------------------------------------------------------------

  private onLegacyData(chunk: Buffer): void {
    const r = this.buffer.push(chunk);
    for (const line of r.lines) this.enqueueLegacy(line, true);
    if (r.overflow) return this.refuseLongLine(LEGACY.lineaLarga);
    this.clearFragmentTimer();
    if (this.buffer.pendingBytes === 0) return;
    this.fragmentTimer = setTimeout(() => this.flushFragment(), this.options.limits.legacy_fragment_wait_ms);
  }

  private flushFragment(): void {
    this.fragmentTimer = null;
    const rest = this.buffer.takeRest();
    if (rest !== null) this.enqueueLegacy(rest, false);
  }

  private clearFragmentTimer(): void {
    if (this.fragmentTimer) clearTimeout(this.fragmentTimer);
    this.fragmentTimer = null;
  }

  private enqueueLegacy(text: string, newline: boolean): void {
    if (this.closing) return;
    this.legacyQueue.push({ text, newline });
    this.updateFlow();
    if (!this.legacyRunning) void this.runLegacy();
  }

  /** Legacy replies go out in command order, one command at a time. */
  private async runLegacy(): Promise<void> {
    this.legacyRunning = true;
    while (this.legacyQueue.length > 0 && !this.socket.destroyed) {
      const { text, newline } = this.legacyQueue.shift()!;
      const end = newline ? '\n' : '';
      if (!this.limiter.tryTake()) {
        this.write(LEGACY.demasiadas + end);
        continue;
      }
      let reply;
      try {
        reply = await handleLegacyCommand(this.ctx, text);
      } catch (err) {
        const code = err instanceof HubError ? err.code : 'INTERNO';
        this.options.log[code === 'INTERNO' ? 'error' : 'warn']('request.failed', { code, err });
        reply = { text: code === 'NO_DISPONIBLE' ? LEGACY.noDisponible : code === 'RESULTADO_INCIERTO' ? LEGACY.resultadoIncierto : LEGACY.interno };
      }
      this.write(reply.text + end);
      if (reply.close) {
        this.legacyQueue.length = 0;
        this.closing = true;
        this.socket.end();
      }
      this.updateFlow();
    }
    this.legacyRunning = false;
    this.wakeDrained();
  }

  // ---- shared -----------------------------------------------------------------------------

  private refuseLongLine(reply: string): void {
    this.clearFragmentTimer();
    this.closing = true;
    this.legacyQueue.length = 0;
    this.write(reply + '\n');
    void this.drained().then(() => this.socket.end());
  }

  private onPeerEnd(): void {
    this.peerEnded = true;
    if (!this.closing) {
      this.clearFragmentTimer();
      const rest = this.buffer.takeRest();
      if (rest !== null && this.mode === 'json') {
        this.jsonBacklog.push(rest);
        this.startJsonLines();
      }
      if (rest !== null && this.mode === 'legacy') this.enqueueLegacy(rest, false);
    }
    void this.drained().then(() => this.socket.end());
  }

  private write(text: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(text);
    this.updateFlow();
  }

  /** Reads pause while too much is in flight or unread by the client; resume when both drain. */
  private updateFlow(): void {
    if (this.socket.destroyed) return;
    const { limits } = this.options;
    const busy = this.inFlight >= limits.pipeline_depth_max || this.jsonBacklog.length > 0 || this.legacyQueue.length >= limits.pipeline_depth_max;
    const backlog = this.socket.writableLength > limits.write_buffer_bytes_max;
    const pause = this.closing || this.peerEnded || busy || backlog;
    // Only on a change: pause()/resume() on a socket already in that state still cost a tick.
    if (pause === this.readsPaused) return;
    this.readsPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }

  private drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private isDrained(): boolean {
    return this.socket.destroyed || (this.inFlight === 0 && this.jsonBacklog.length === 0 && !this.legacyRunning && this.legacyQueue.length === 0 && this.fragmentTimer === null);
  }

  private wakeDrained(): void {
    if (!this.isDrained()) return;
    const waiters = this.drainedWaiters.splice(0);
    for (const w of waiters) w();
  }
}
