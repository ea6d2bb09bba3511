/**
 * The core processes under test and the nemesis that kills them: every 2–4 s one of them gets
 * SIGKILL and is started again on the same port with the same settings.
 */
import { CHAOS_LIMITS } from './limits';
import { killHard, spawnBanco, stopGently, type Proceso } from './processes';

interface Slot {
  port: number;
  env: Record<string, string>;
  proceso: Proceso;
}

export class Cluster {
  kills = 0;
  /** Longest time from a SIGKILL until the restarted core listened again. */
  restartMsMax = 0;
  /** Core processes that died without being killed by the nemesis (then restarted). */
  unexpectedExits = 0;

  private constructor(private readonly slots: Slot[]) {}

  static async start(envs: Array<Record<string, string>>): Promise<Cluster> {
    const slots: Slot[] = [];
    for (const env of envs) slots.push({ port: Number(env.CORE_PORT), env, proceso: await startCore(env) });
    return new Cluster(slots);
  }

  get ports(): number[] {
    return this.slots.map((s) => s.port);
  }

  /** SIGKILL one core and start it again; resolves once it listens. */
  async killAndRestart(index: number): Promise<void> {
    const slot = this.slots[index];
    const killedMs = Date.now();
    await killHard(slot.proceso);
    this.kills++;
    slot.proceso = await restart(slot.env);
    this.restartMsMax = Math.max(this.restartMsMax, Date.now() - killedMs);
  }

  /** Starts again any core that died on its own. */
  async reviveDead(): Promise<void> {
    for (const slot of this.slots) {
      if (slot.proceso.proc.exitCode === null && slot.proceso.proc.signalCode === null) continue;
      this.unexpectedExits++;
      slot.proceso = await restart(slot.env);
    }
  }

  /** SIGTERM every core; the exit codes (0 = clean, CONTRACT §1). */
  async stop(): Promise<Array<number | null>> {
    return Promise.all(this.slots.map((s) => stopGently(s.proceso)));
  }

  /** The last lines each core wrote to stderr, for a failure report. */
  stderrTails(): string[] {
    return this.slots.map((s) => s.proceso.stderrTail());
  }
}

function startCore(env: Record<string, string>): Promise<Proceso> {
  return spawnBanco(['start', 'core'], env, 'core.listening');
}

async function restart(env: Record<string, string>): Promise<Proceso> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < CHAOS_LIMITS.core_restart_attempts_max; attempt++) {
    try {
      return await startCore(env);
    } catch (err) {
      lastError = err; // e.g. the port not yet released: wait and try again
      await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.reconnect_pause_ms * (attempt + 1)));
    }
  }
  throw new Error(`core on port ${env.CORE_PORT} did not restart after ${CHAOS_LIMITS.core_restart_attempts_max} attempts`, { cause: lastError });
}

/**
 * The nemesis: until `over()`, one SIGKILL every 2–4 s (counted from the previous kill, so the
 * restart time is inside the interval), each on a core picked at random, which is then restarted.
 */
export async function runNemesis(cluster: Cluster, random: () => number, over: () => boolean): Promise<void> {
  const span = CHAOS_LIMITS.kill_interval_max_ms - CHAOS_LIMITS.kill_interval_min_ms;
  let lastKillMs = Date.now();
  while (!over()) {
    const until = lastKillMs + CHAOS_LIMITS.kill_interval_min_ms + Math.floor(random() * span);
    while (Date.now() < until && !over()) await new Promise((resolve) => setTimeout(resolve, Math.min(CHAOS_LIMITS.tick_ms, until - Date.now())));
    if (over()) break;
    await cluster.reviveDead();
    lastKillMs = Date.now();
    await cluster.killAndRestart(Math.floor(random() * cluster.ports.length));
  }
}
