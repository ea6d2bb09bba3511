/**
 * A shutdown that fits a container's stop timeout (docker: SIGTERM, 10 s, SIGKILL): the parts
 * stop in order (stopAll), and whatever has not finished by `shutdown_deadline_ms` is given up,
 * with the part still stopping named, so the caller can exit on its own terms before a SIGKILL.
 */
import type { Logger } from '../core/log';
import { stopAll, type Running } from './start';

export type ShutdownOutcome = { finished: true } | { finished: false; stopping: string | null };

export async function stopWithin(running: Running[], log: Logger, deadlineMs: number): Promise<ShutdownOutcome> {
  let stopping: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ShutdownOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ finished: false, stopping }), deadlineMs);
  });
  const done = stopAll(running, log, (name) => (stopping = name)).then((): ShutdownOutcome => ({ finished: true }));
  const outcome = await Promise.race([done, late]);
  clearTimeout(timer);
  if (!outcome.finished) log.error('shutdown.deadline_passed', { deadlineMs, part: outcome.stopping });
  return outcome;
}
