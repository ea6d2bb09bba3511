/**
 * The supervisor's policy (hub/supervisor.ts) with stand-in components (test/helpers/supervised-child.js)
 * that crash, fail or ignore SIGTERM on demand: start order with readiness, reverse stop order,
 * restart with backoff, giving up past the limit, SIGKILL past the stop timeout, and a start-up
 * failure reported as the component's own one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors';
import { createLogger } from '../../core/log';
import { superviseComponents, type SupervisorOptions } from '../../hub/supervisor';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';

const CHILD = path.resolve(__dirname, '../helpers/supervised-child.js');
const COMPONENTS = ['alpha', 'beta', 'gamma'].map((name) => ({ name, enabled: () => true }));
const LIMITS = { restart_delay_ms_initial: 50, restart_delay_ms_max: 400, restarts_max: 3, restart_window_ms: 60_000, child_stop_timeout_ms: 500, stop_total_ms_max: 3000, child_stop_timeout_ms_min: 100, start_timeout_ms: 10_000 };

interface Harness {
  env: Record<string, string>;
  events: () => string[];
  logs: Array<Record<string, unknown>>;
  options: SupervisorOptions;
}

async function harness(fake: Record<string, string> = {}): Promise<Harness> {
  const dir = tempDir('banco-supervisor-');
  const eventsFile = path.join(dir, 'events.txt');
  fs.writeFileSync(eventsFile, '');
  const logs: Array<Record<string, unknown>> = [];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', DATA_DIR: dir, EVENTS_FILE: eventsFile, CORE_PORT: String(await freePort()), MQTT_PORT: String(await freePort()), NODE_RED_PORT: String(await freePort()), MQTT_WS_PORT: 'off', ...fake,
  };
  const log = createLogger({ component: 'supervisor', write: (l) => logs.push(JSON.parse(l)) });
  return { env, logs, events: () => fs.readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean), options: { cli: CHILD, log, writeEntry: (e) => logs.push(e), components: COMPONENTS, limits: LIMITS } };
}

const until = async (probe: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the supervisor', () => {
  it('starts each component only after the one before is ready, and stops them in reverse order', async () => {
    const h = await harness();
    const sup = await superviseComponents(h.env, h.options);
    expect(Object.values(sup.pids()).every((pid) => typeof pid === 'number')).toBe(true);
    await sup.stop();
    expect(h.events()).toEqual(['alpha started', 'alpha ready', 'beta started', 'beta ready', 'gamma started', 'gamma ready', 'gamma stopping', 'beta stopping', 'alpha stopping']);
    expect(h.logs.some((l) => l.component === 'beta' && l.event === 'fake.ready')).toBe(true);
  });

  it('fails start-up with the component\'s own line and stops the ones already running', async () => {
    const h = await harness({ FAKE_BETA: 'fail-start' });
    const started = superviseComponents(h.env, h.options);
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow('beta cannot start: port 1 is already in use; set FAKE_PORT.');
    expect(h.events()).toEqual(['alpha started', 'alpha ready', 'beta started', 'alpha stopping']);
  });

  it('restarts a crashed component with a growing delay, leaving the others running', async () => {
    const h = await harness({ FAKE_BETA: 'crash-after:100' });
    const sup = await superviseComponents(h.env, { ...h.options, limits: { ...LIMITS, restarts_max: 100 } });
    await until(() => h.logs.filter((l) => l.event === 'component.crashed').length >= 3);
    const delays = h.logs.filter((l) => l.event === 'component.crashed').map((l) => l.restartInMs);
    expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
    expect(h.events().filter((e) => e === 'alpha started' || e === 'gamma started')).toHaveLength(2);
    await sup.stop();
  });

  it('gives up on a component that keeps crashing: stops everything and reports failure', async () => {
    const h = await harness({ FAKE_GAMMA: 'crash-after:10' });
    const sup = await superviseComponents(h.env, h.options);
    await sup.failed;
    expect(h.logs.filter((l) => l.event === 'component.crashed')).toHaveLength(LIMITS.restarts_max);
    expect(h.logs.some((l) => l.event === 'component.gave_up' && l.child === 'gamma')).toBe(true);
    expect(Object.values(sup.pids())).toEqual([null, null, null]);
    expect(h.events().slice(-2)).toEqual(['beta stopping', 'alpha stopping']);
  });

  it('kills a component that ignores SIGTERM once its stop time is over', async () => {
    const h = await harness({ FAKE_BETA: 'stubborn' });
    const sup = await superviseComponents(h.env, h.options);
    const t0 = Date.now();
    await sup.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LIMITS.child_stop_timeout_ms);
    expect(h.logs.find((l) => l.event === 'component.killed')).toMatchObject({ child: 'beta', afterMs: LIMITS.child_stop_timeout_ms });
    expect(Object.values(sup.pids())).toEqual([null, null, null]);
  });
});
