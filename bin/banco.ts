#!/usr/bin/env node
/**
 * The `banco` command (CONTRACT §8). Each subcommand is a function elsewhere; this file only
 * dispatches and turns a ConfigError into the one clear line start-up promises.
 */
import { ConfigError } from '../core/errors';
import { createLogger, entryWriter, levelFromEnv, logFormatFromEnv, type Logger } from '../core/log';
import { COMPONENTS, startComponents, stopAll, type Component, type Running } from '../hub/start';
import { reportReady, stopWhenSupervisorGone } from '../hub/child-ready';
import { superviseComponents } from '../hub/supervisor';
import { runBrokerUserAdd } from '../core/broker';
import { runMonitor } from '../core/monitor';
import { AUDIT_VERIFY_USAGE, runAuditVerify } from './audit-verify';

const USAGE = `usage: banco <command>
  start [${COMPONENTS.join('|')}]   start the whole hub (default: each component its own
                                     supervised process) or one component in this process
  monitor [--topic F]… [--json] [--no-color]
                                     print every event on the bus, one line each (Ctrl-C ends)
  audit verify <file|dir> [files…]   verify a hash-chained audit log (or a rotated set)
  broker-user add <name> --role service|reader|customer [--cedula C] [--file F] [--password-stdin]
                                     add or update a user of the embedded broker's users file
  help                               this text`;

/**
 * Signals are handled from the first moment: one that arrives while components are still
 * starting stops them as soon as start-up finished (or failed), and the exit code is still 0.
 */
function handleSignals(log: Logger): { started: (running: Running[]) => void } {
  let running: Running[] | null = null;
  let requested: string | null = null;
  const stop = (): void => {
    log.info('shutdown.requested', { signal: requested });
    stopAll(running ?? [], log).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const onSignal = (signal: string): void => {
    if (requested !== null) return;
    requested = signal;
    if (running !== null) stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  stopWhenSupervisorGone(() => onSignal('supervisor gone'));
  return {
    started(parts) {
      running = parts;
      if (requested !== null) stop();
    },
  };
}

async function main(argv: string[]): Promise<number | null> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start': {
      const component = (rest[0] ?? 'all') as Component;
      const format = logFormatFromEnv(process.env.BANCO_LOG_FORMAT, process.stderr.isTTY === true);
      const log = createLogger({ level: levelFromEnv(process.env.LOG_LEVEL), format, component: component === 'all' ? 'supervisor' : component });
      const signals = handleSignals(log);
      if (component !== 'all') {
        signals.started(await startComponents(component, process.env, log));
        reportReady(component);
        return null; // keep running
      }
      const writeEntry = entryWriter(format, (line) => process.stderr.write(line + '\n'), process.stderr.isTTY === true);
      const supervisor = await superviseComponents(process.env, { cli: __filename, log, writeEntry });
      signals.started([supervisor]);
      void supervisor.failed.then(() => process.exit(1));
      return null;
    }
    case 'monitor':
      return runMonitor(rest, process.env, process.stdout);
    case 'broker-user':
      return runBrokerUserAdd(rest, process.stdout, process.env, process.stdin);
    case 'audit':
      if (rest[0] !== 'verify') throw new ConfigError(AUDIT_VERIFY_USAGE);
      return runAuditVerify(rest.slice(1), process.stdout);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new ConfigError(`unknown command "${command}".\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`banco: ${err.message}\n`);
    else process.stderr.write(`banco: failed: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
