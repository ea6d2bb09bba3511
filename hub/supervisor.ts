/**
 * `npm start` (`banco start` / `banco start all`): each component in its own process, so a user's
 * function node that spins or crashes Node-RED never stalls the bank (issue 12). The supervisor
 * starts the components of supervised-components.ts in order, each only once the one before
 * reported ready (child-ready.ts); restarts one that crashed, with exponential backoff and a
 * limit (SUPERVISOR_LIMITS); forwards every line they print into the one log stream
 * (child-output.ts); and on SIGINT/SIGTERM stops them in reverse order, each bounded in time,
 * then SIGKILL. It exits non-zero only when a component cannot be kept up.
 * Children share the settings through the environment (DATA_DIR, the development service login
 * provided once here, …), prepared and validated before the first one starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { Env } from '../core/config';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/log';
import { forwardOutput, type OutputSink } from './child-output';
import { isReadyMessage } from './child-ready';
import { SUPERVISOR_LIMITS } from './limits';
import { DELIVERY_SETTLE_MS, prepareEnvironment, type Running } from './start';
import { SUPERVISED_COMPONENTS, type SupervisedComponent } from './supervised-components';

export type SupervisorLimits = { -readonly [K in keyof typeof SUPERVISOR_LIMITS]: number };

export interface SupervisorOptions {
  /** The `banco` CLI script each component runs as `banco start <name>`. */
  cli: string;
  log: Logger;
  /** Writes a component's own log entry (already in the common format) to the one stream. */
  writeEntry: OutputSink['entry'];
  components?: readonly SupervisedComponent[];
  limits?: Partial<SupervisorLimits>;
}

export interface Supervisor extends Running {
  /** Resolves when a component could not be kept up; everything is stopped by then. */
  readonly failed: Promise<void>;
  /** The running process id of each component, for operators and tests. */
  pids(): Record<string, number | null>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

class Child {
  proc: ChildProcess | null = null;
  ready = false;
  closed: Promise<void> = Promise.resolve();
  /** Times of recent crashes, for the backoff and the restart limit. */
  crashes: number[] = [];
  restartTimer: NodeJS.Timeout | null = null;
  onCrash: (code: number | null, signal: NodeJS.Signals | null) => void = () => undefined;
  private failureLine: string | null = null;

  constructor(readonly name: string, private readonly niceness: number, private readonly cli: string, private readonly env: Env, private readonly sink: OutputSink, private readonly limits: SupervisorLimits) {}

  get alive(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Spawns the component; resolves once it reports ready, rejects (one clear line) if it exits or stalls first. */
  start(): Promise<void> {
    const log = this.sink.log;
    // Own process group (detached): a terminal's Ctrl-C reaches the supervisor only, which then
    // stops the components in order; the IPC channel carries readiness and the supervisor's death.
    const proc = spawn(process.execPath, [this.cli, 'start', this.name], { env: { ...this.env, BANCO_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    this.proc = proc;
    this.ready = false;
    this.failureLine = null;
    const onFailureLine = (line: string): void => {
      if (this.ready) log.error('component.failed', { child: this.name, msg: line });
      else this.failureLine = line;
    };
    forwardOutput(proc.stdout!, this.name, 'info', this.sink, onFailureLine);
    forwardOutput(proc.stderr!, this.name, 'error', this.sink, onFailureLine);
    this.lowerPriority(proc);
    log.info('component.starting', { child: this.name, pid: proc.pid, niceness: this.niceness });
    // 'close' comes after the output is drained, so a failure line is in before we act on the exit.
    this.closed = new Promise((resolve) => {
      proc.once('close', () => resolve());
      // A process that could not be spawned (EAGAIN, ENOMEM) emits 'error' and maybe never 'close'.
      proc.once('error', () => resolve());
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failureLine = `${this.name} did not report ready within ${this.limits.start_timeout_ms} ms; stopped it.`;
        proc.kill('SIGKILL');
      }, this.limits.start_timeout_ms);
      proc.on('message', (m) => {
        if (!isReadyMessage(m) || this.ready) return;
        clearTimeout(timer);
        this.ready = true;
        log.info('component.ready', { child: this.name, pid: proc.pid });
        resolve();
      });
      proc.once('error', (err) => {
        log.error('component.spawn_failed', { child: this.name, err });
        if (this.ready || proc.pid !== undefined) return; // a running process: its 'close' follows
        clearTimeout(timer);
        reject(new ConfigError(`${this.name}: cannot start a process: ${err.message}`));
      });
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        if (!this.ready) return reject(new ConfigError(this.failureLine ?? `${this.name} exited during start-up (code ${code}, signal ${signal}).`));
        this.ready = false;
        this.onCrash(code, signal);
      });
    });
  }

  private lowerPriority(proc: ChildProcess): void {
    if (this.niceness === 0 || proc.pid === undefined) return;
    try {
      os.setPriority(proc.pid, this.niceness);
    } catch (err) {
      this.sink.log.warn('component.priority_unchanged', { child: this.name, niceness: this.niceness, err });
    }
  }

  /** SIGTERM and the component's own orderly stop, bounded by `timeoutMs`; then SIGKILL. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc;
    if (proc === null || !this.alive) return;
    const log = this.sink.log;
    log.info('component.stopping', { child: this.name, pid: proc.pid, timeoutMs });
    this.onCrash = () => undefined;
    proc.kill('SIGTERM');
    const stopped = await Promise.race([this.closed.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!stopped) {
      log.warn('component.killed', { child: this.name, pid: proc.pid, afterMs: timeoutMs });
      proc.kill('SIGKILL');
      await this.closed;
    }
    log.info('component.stopped', { child: this.name, code: proc.exitCode, signal: proc.signalCode });
  }
}

export async function superviseComponents(env: Env, options: SupervisorOptions): Promise<Supervisor> {
  const limits: SupervisorLimits = { ...SUPERVISOR_LIMITS, ...options.limits };
  const log = options.log;
  // Validated once, before any component starts; the development service login is created here
  // once, so the components do not race to write its file.
  await prepareEnvironment('all', env);
  const sink: OutputSink = { entry: options.writeEntry, log };
  const children = (options.components ?? SUPERVISED_COMPONENTS).filter((c) => c.enabled(env)).map((c) => new Child(c.name, c.niceness ?? 0, options.cli, env, sink, limits));
  let stopping: Promise<void> | null = null;
  let markFailed: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (markFailed = resolve));

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const deadline = Date.now() + limits.stop_total_ms_max;
      for (const child of [...children].reverse()) {
        await child.stop(Math.max(limits.child_stop_timeout_ms_min, Math.min(limits.child_stop_timeout_ms, deadline - Date.now())));
        // The broker acknowledged the core's last publishes; let them reach the flows before those close.
        if (child.name === 'core' && children.some((c) => c.name === 'node-red' && c.alive)) await sleep(DELIVERY_SETTLE_MS);
      }
    })();
    return stopping;
  };

  const restart = (child: Child, code: number | null, signal: NodeJS.Signals | null): void => {
    if (stopping !== null) return;
    const now = Date.now();
    child.crashes = [...child.crashes.filter((t) => now - t < limits.restart_window_ms), now];
    if (child.crashes.length > limits.restarts_max) {
      log.error('component.gave_up', { child: child.name, crashes: child.crashes.length, windowMs: limits.restart_window_ms, msg: `${child.name} crashed ${child.crashes.length} times within ${limits.restart_window_ms} ms; stopping the hub` });
      void stop().then(markFailed);
      return;
    }
    const delayMs = Math.min(limits.restart_delay_ms_max, limits.restart_delay_ms_initial * 2 ** (child.crashes.length - 1));
    log.error('component.crashed', { child: child.name, code, signal, restartInMs: delayMs, crashes: child.crashes.length });
    child.restartTimer = setTimeout(() => {
      child.restartTimer = null;
      if (stopping !== null) return;
      child.start().then(
        () => log.info('component.restarted', { child: child.name, pid: child.proc?.pid }),
        (err: Error) => {
          log.error('component.restart_failed', { child: child.name, msg: err.message });
          restart(child, child.proc?.exitCode ?? null, child.proc?.signalCode ?? null);
        },
      );
    }, delayMs);
  };

  for (const child of children) child.onCrash = (code, signal) => restart(child, code, signal);
  try {
    for (const child of children) await child.start();
  } catch (err) {
    await stop();
    throw err;
  }
  log.info('hub.started', { components: children.map((c) => ({ name: c.name, pid: c.proc?.pid })) });
  return {
    name: 'supervisor',
    stop,
    failed,
    pids: () => Object.fromEntries(children.map((c) => [c.name, c.alive ? (c.proc?.pid ?? null) : null])),
  };
}
