#!/usr/bin/env node
/**
 * The `banco` command (CONTRACT §8):
 *   banco start [all|core]   run the hub (all components) or one component
 *   banco help
 */
import { loadCoreConfig } from '../core/config';
import { startCore } from '../core/core-service';
import { ConfigError } from '../core/errors';
import { createLogger, levelFromEnv } from '../core/log';

const USAGE = `usage: banco <command>
  start [all|core]   start the hub, or only the banking core (default: all)
  help               this text`;

interface Stoppable {
  stop(): Promise<void>;
}

async function start(component: string): Promise<Stoppable[]> {
  const log = createLogger({ level: levelFromEnv(process.env.LOG_LEVEL) });
  if (component !== 'all' && component !== 'core') throw new ConfigError(`unknown component "${component}"; use all or core.`);
  const core = await startCore(loadCoreConfig(), { log });
  return [core];
}

function stopOnSignals(parts: Stoppable[]): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`banco: ${signal} received, shutting down\n`);
    // Stop in reverse start order: consumers first, the core (and its outbox) last.
    (async () => {
      for (const p of [...parts].reverse()) await p.stop();
    })().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`banco: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      stopOnSignals(await start(rest[0] ?? 'all'));
      return;
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new ConfigError(`unknown command "${command}".\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`banco: ${err.message}\n`);
  else process.stderr.write(`banco: failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
