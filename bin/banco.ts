#!/usr/bin/env node
/**
 * The `banco` command (CONTRACT §8). Each subcommand is a function elsewhere; this file only
 * dispatches and turns a ConfigError into the one clear line start-up promises.
 */
import { ConfigError } from '../core/errors';
import { createLogger, levelFromEnv } from '../core/log';
import { COMPONENTS, startComponents, stopAll, type Component, type Running } from '../hub/start';
import { AUDIT_VERIFY_USAGE, runAuditVerify } from './audit-verify';

const USAGE = `usage: banco <command>
  start [${COMPONENTS.join('|')}]   start the whole hub (default) or one component
  audit verify <file|dir> [files…]   verify a hash-chained audit log (or a rotated set)
  help                               this text`;

function stopOnSignals(running: Running[]): void {
  const log = createLogger({ level: levelFromEnv(process.env.LOG_LEVEL) });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`banco: ${signal} received, shutting down\n`);
    stopAll(running, log).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<number | null> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start': {
      const log = createLogger({ level: levelFromEnv(process.env.LOG_LEVEL) });
      stopOnSignals(await startComponents((rest[0] ?? 'all') as Component, process.env, log));
      return null; // keep running
    }
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
