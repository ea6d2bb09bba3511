/**
 * One client connection: picks the protocol from the first byte (`{` → JSON lines, anything
 * else → legacy text), takes lines from its LineBuffer only as fast as it can handle them, and
 * enforces the per-connection bounds, so one client's flood never slows the others:
 * - at most `lines_per_turn_max` lines per turn of the event loop (then it yields);
 * - JSON: at most `pipeline_depth_max` requests in flight; legacy: one command at a time;
 * - no new line is taken while `write_buffer_bytes_max` of replies are unsent, and reading
 *   pauses whenever a complete line is waiting, so unread input stays in the kernel;
 * - every line (blank ones too) is charged to the request rate limit, and protocol errors to an
 *   error budget: past it the connection is answered once more and closed.
 *
 * Legacy framing (CONTRACT §3, docs/protocol.md): a line ends at `\n`. Until a connection has
 * sent a newline, bytes without one that form a whole command (legacy-framing.ts) run at once, as
 * the old server's recv() took them, and the reply has no newline; a piece of a command waits at
 * most `legacy_incomplete_wait_ms` for the rest. After the first newline only newlines end
 * commands, so a pause inside `AUMENTAR 1350509525 1000` cannot cut the amount short.
 */
import type { Socket } from 'node:net';
import { HubError, type ErrorCode } from '../errors';
import type { Limits } from '../limits';
import type { Logger } from '../log';
import type { ProtocolContext } from './context';
import { errorResponse, handleJsonRequest, parseRequest, type JsonSession, type Response } from './json-lines';
import { isWholeLegacyCommand } from './legacy-framing';
import { handleLegacyCommand, LEGACY, type LegacyReply } from './legacy-text';
import { LineBuffer } from './line-buffer';
import { RateLimiter } from './rate-limiter';
import { jsonOpLabel, legacyOpLabel, secondsSince } from './request-label';

export const BANNER = 'BIENVENIDO|Sistema Bancario Distribuido v1.0\n';

export interface ConnectionOptions {
  limits: Limits;
  legacyText: boolean;
  coreToken: string | null;
  /** Legacy text only: amounts with more than two decimals are rounded half-up to cents. */
  legacyRoundAmounts?: boolean;
  log: Logger;
}

type Mode = 'unknown' | 'legacy' | 'json';

/** JSON error codes that say the client is not speaking the protocol (charged to the error budget). */
const JSON_PROTOCOL_ERRORS: ReadonlySet<string> = new Set<ErrorCode>(['JSON_INVALIDO', 'OP_DESCONOCIDA', 'NO_AUTORIZADO']);
const LEGACY_PROTOCOL_ERRORS: ReadonlySet<string> = new Set([LEGACY.vacio, LEGACY.noReconocido, LEGACY.demasiadas]);

export class Connection {
  private mode: Mode = 'unknown';
  private readonly buffer: LineBuffer;
  private readonly limiter: RateLimiter;
  private readonly errorBudget: RateLimiter;
  private readonly session: JsonSession = { authenticated: false };
  /** Legacy: the connection has sent a newline, so only newlines end its commands. */
  private newlineSeen = false;
  private legacyRunning = false;
  private incompleteTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private pumpScheduled = false;
  private readsPaused = false;
  private closing = false;
  private peerEnded = false;
  private readonly drainedWaiters: Array<() => void> = [];

  constructor(readonly socket: Socket, private readonly ctx: ProtocolContext, private readonly options: ConnectionOptions) {
    const { limits } = options;
    this.buffer = new LineBuffer(limits.line_bytes_max);
    this.limiter = new RateLimiter(limits.requests_per_second_max, limits.requests_burst_max);
    this.errorBudget = new RateLimiter(limits.protocol_errors_per_second_max, limits.protocol_errors_burst_max);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idle_timeout_ms, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onPeerEnd());
    socket.on('drain', () => this.schedulePump());
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => options.log.debug('connection.error', { err }));
    socket.write(BANNER);
  }

  /** Stop reading, let in-flight requests answer, then close. */
  async shutdown(): Promise<void> {
    this.closing = true;
    this.clearIncompleteTimer();
    this.updateFlow();
    await this.drained();
    this.endSocket();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    if (this.mode === 'unknown') this.chooseMode(chunk);
    if (this.mode === 'unknown') return;
    this.buffer.append(chunk);
    this.pump();
  }

  private chooseMode(chunk: Buffer): void {
    if (chunk[0] === 0x7b /* { */) this.mode = 'json';
    else if (this.options.legacyText) this.mode = 'legacy';
    else {
      this.closing = true;
      this.socket.end(LEGACY.deshabilitado + '\n');
    }
  }

  // ---- taking lines -----------------------------------------------------------------------

  /** Handles what may be handled now, at most `lines_per_turn_max` lines, then yields. */
  private pump(): void {
    this.pumpScheduled = false;
    let budget = this.options.limits.lines_per_turn_max;
    while (this.canTakeLine()) {
      if (budget === 0) {
        if (this.buffer.hasLine()) this.schedulePump();
        break;
      }
      const line = this.buffer.nextLine();
      if (line === null) break;
      if (line === 'overflow') return this.refuseLongLine();
      budget--;
      if (this.mode === 'json') this.onJsonLine(line);
      else this.onLegacyLine(line, true);
    }
    if (this.mode === 'legacy') this.checkLegacyRest();
    if (this.peerEnded) this.takeRestAtEnd();
    this.updateFlow();
    this.wakeDrained();
  }

  /** Completions and drains never pump in place: the next turn does, so others get theirs. */
  private schedulePump(): void {
    if (this.pumpScheduled || this.socket.destroyed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private canTakeLine(): boolean {
    if (this.closing || this.socket.destroyed) return false;
    if (this.socket.writableLength > this.options.limits.write_buffer_bytes_max) return false;
    return this.mode === 'json' ? this.inFlight < this.options.limits.pipeline_depth_max : !this.legacyRunning;
  }

  // ---- JSON lines -------------------------------------------------------------------------

  private onJsonLine(line: string): void {
    // Blank lines are ignored but not free: they count against the rate like any request.
    if (line.trim() === '') return this.limiter.tryTake() ? undefined : this.jsonProtocolError(errorResponse(null, 'LIMITE_EXCEDIDO', 'Demasiadas solicitudes, intente más tarde'));
    const parsed = parseRequest(line);
    if (!parsed.ok) return this.jsonProtocolError(parsed.response);
    const id = parsed.request.id ?? null;
    if (!this.limiter.tryTake()) return this.jsonProtocolError(errorResponse(id, 'LIMITE_EXCEDIDO', 'Demasiadas solicitudes, intente más tarde'));
    const startedNs = process.hrtime.bigint();
    const observe = (): void => this.ctx.observeRequest?.('json', jsonOpLabel(parsed.request.op), secondsSince(startedNs));
    let result: Response | Promise<Response>;
    try {
      result = handleJsonRequest(this.ctx, this.options.coreToken, this.session, parsed.request);
    } catch (err) {
      result = this.failure(id, err);
    }
    if (!(result instanceof Promise)) {
      observe();
      return this.answerJson(result);
    }
    this.inFlight++;
    result
      .catch((err: unknown) => this.failure(id, err))
      .then((response) => {
        this.inFlight--;
        observe();
        this.answerJson(response);
        this.schedulePump();
        this.wakeDrained();
      });
  }

  private answerJson(response: Response): void {
    const code = response.ok ? null : (response.error as { code?: string } | undefined)?.code;
    if (code && JSON_PROTOCOL_ERRORS.has(code)) return this.jsonProtocolError(response);
    this.write(JSON.stringify(response) + '\n');
  }

  private jsonProtocolError(response: Response): void {
    this.write(JSON.stringify(response) + '\n');
    this.chargeError();
  }

  private failure(id: unknown, err: unknown): Response {
    if (err instanceof HubError) {
      this.options.log.warn('request.failed', { code: err.code, err: err.cause ?? err });
      return errorResponse(id, err.code);
    }
    this.options.log.error('request.crashed', { err });
    return errorResponse(id, 'INTERNO');
  }

  // ---- legacy text ------------------------------------------------------------------------

  private onLegacyLine(text: string, newline: boolean): void {
    if (newline) {
      // From the first newline on, only newlines end commands: a wait for the rest of a
      // newline-less piece started before it must not cut the next command short.
      this.newlineSeen = true;
      this.clearIncompleteTimer();
    }
    const end = newline ? '\n' : '';
    if (!this.limiter.tryTake()) return this.legacyReply({ text: LEGACY.demasiadas }, end);
    this.legacyRunning = true;
    const startedNs = process.hrtime.bigint();
    handleLegacyCommand(this.ctx, text, { roundAmounts: this.options.legacyRoundAmounts === true })
      .catch((err: unknown): LegacyReply => {
        const code = err instanceof HubError ? err.code : 'INTERNO';
        this.options.log[code === 'INTERNO' ? 'error' : 'warn']('request.failed', { code, err });
        return { text: code === 'NO_DISPONIBLE' ? LEGACY.noDisponible : code === 'RESULTADO_INCIERTO' ? LEGACY.resultadoIncierto : LEGACY.interno };
      })
      .then((reply) => {
        this.legacyRunning = false;
        this.ctx.observeRequest?.('legacy', legacyOpLabel(text), secondsSince(startedNs));
        this.legacyReply(reply, end);
        this.schedulePump();
        this.wakeDrained();
      });
  }

  private legacyReply(reply: LegacyReply, end: string): void {
    this.write(reply.text + end);
    if (LEGACY_PROTOCOL_ERRORS.has(reply.text)) this.chargeError();
    if (reply.close) this.closeAfterReplies();
  }

  /**
   * Bytes left without a newline: before the connection's first newline, a whole command runs
   * now and a piece of one waits (bounded) for the rest; after it, they wait for their newline.
   */
  private checkLegacyRest(): void {
    if (this.newlineSeen || this.legacyRunning || this.closing || this.buffer.pendingBytes === 0 || this.buffer.hasLine()) return;
    if (isWholeLegacyCommand(this.buffer.peekRest(), this.options.limits.legacy_bare_command_bytes_max)) return this.runLegacyRest();
    if (this.incompleteTimer === null) this.incompleteTimer = setTimeout(() => this.runLegacyRest(), this.options.limits.legacy_incomplete_wait_ms);
  }

  private runLegacyRest(): void {
    this.clearIncompleteTimer();
    if (this.newlineSeen || this.legacyRunning || this.closing) return;
    const rest = this.buffer.takeRest();
    if (rest !== null) this.onLegacyLine(rest, false);
    this.updateFlow();
  }

  private clearIncompleteTimer(): void {
    if (this.incompleteTimer) clearTimeout(this.incompleteTimer);
    this.incompleteTimer = null;
  }

  // ---- shared -----------------------------------------------------------------------------

  /** One protocol error; past the error budget the connection is closed. */
  private chargeError(): void {
    if (this.errorBudget.tryTake() || this.closing) return;
    this.options.log.warn('connection.closed', { address: this.socket.remoteAddress, reason: 'too many protocol errors' });
    this.closeAfterReplies();
  }

  private refuseLongLine(): void {
    const reply = this.mode === 'json' ? JSON.stringify(errorResponse(null, 'LINEA_DEMASIADO_LARGA', `Línea de más de ${this.options.limits.line_bytes_max} bytes`)) : LEGACY.lineaLarga;
    this.write(reply + '\n');
    this.closeAfterReplies();
  }

  /** Stop taking input; end the connection once what is running has answered. */
  private closeAfterReplies(): void {
    this.closing = true;
    this.clearIncompleteTimer();
    this.updateFlow();
    void this.drained().then(() => this.endSocket());
  }

  /** The peer half-closed: complete lines still run, a last unterminated one is a command, then we end. */
  private onPeerEnd(): void {
    this.peerEnded = true;
    this.clearIncompleteTimer();
    this.pump();
    void this.drained().then(() => this.endSocket());
  }

  /** After the peer's end, the unterminated rest runs once every complete line before it has. */
  private takeRestAtEnd(): void {
    if (!this.canTakeLine() || this.buffer.hasLine() || (this.mode === 'json' && this.inFlight > 0)) return;
    const rest = this.buffer.takeRest();
    if (rest !== null && this.mode === 'json') this.onJsonLine(rest);
    if (rest !== null && this.mode === 'legacy') this.onLegacyLine(rest, false);
  }

  /**
   * Ends our side. The server allows half-open sockets and a closing connection has paused its
   * reads, so the peer's FIN would never be seen: read on (dropping what comes, see onData) and
   * destroy the socket if the peer has not closed within `close_linger_ms`.
   */
  private endSocket(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), this.options.limits.close_linger_ms).unref();
  }

  private onClose(): void {
    this.clearIncompleteTimer();
    this.wakeDrained();
  }

  private write(text: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(text);
  }

  /**
   * Reads pause while a complete line waits (the connection is busy), while replies are unsent,
   * or once closing; they resume when the line buffer holds no complete line and output drained.
   */
  private updateFlow(): void {
    if (this.socket.destroyed) return;
    const backlog = this.socket.writableLength > this.options.limits.write_buffer_bytes_max;
    // Bytes wait for a connection that cannot take a line now (a command running, the pipeline
    // full): stop reading, so what it holds stays one read's worth and the rest in the kernel.
    const busy = this.buffer.hasLine() || (this.buffer.pendingBytes > 0 && !this.canTakeLine());
    const pause = this.closing || this.peerEnded || backlog || busy;
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

  /** Nothing running and nothing runnable left (closing connections drop what they had not started). */
  private isDrained(): boolean {
    if (this.socket.destroyed) return true;
    if (this.inFlight > 0 || this.legacyRunning) return false;
    if (this.closing) return true;
    if (this.peerEnded) return this.buffer.pendingBytes === 0;
    return !this.buffer.hasLine() && this.incompleteTimer === null;
  }

  private wakeDrained(): void {
    if (!this.isDrained()) return;
    const waiters = this.drainedWaiters.splice(0);
    for (const w of waiters) w();
  }
}
