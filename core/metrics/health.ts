/**
 * /health: readiness of one core process (docs/metrics.md). Ready when the database answers, the
 * relay's broker connection is up (when this core relays at all) and the outbox backlog is under
 * its bound; and not while shutting down, so a load balancer stops sending work first.
 * /health/live only says the process answers (its event loop turns): restarting a core does not
 * fix a database outage, so liveness does not depend on it.
 */
import type { OutboxBacklog } from '../store/store';

export interface HealthSources {
  backlog(): Promise<OutboxBacklog>;
  /** null: this core runs no relay (BANCO_RELAY=off), so no broker is needed. */
  brokerConnected(): boolean | null;
  ageSeconds(backlog: OutboxBacklog): number;
  stopping(): boolean;
  outboxBacklogReadyMax: number;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  ready: boolean;
  live: true;
  shutting_down: boolean;
  checks: {
    database: { ok: boolean; error?: string };
    broker: { ok: boolean; state: 'connected' | 'disconnected' | 'not used' };
    outbox: { ok: boolean; backlog_rows: number | null; backlog_rows_max: number; oldest_unsent_age_s: number | null };
  };
}

export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
  let backlog: OutboxBacklog | null = null;
  let databaseError: string | undefined;
  try {
    backlog = await sources.backlog();
  } catch (err) {
    // A fixed phrase or the probe's own timeout text: never a driver message with a host or user in it.
    databaseError = err instanceof Error && err.message.startsWith('database did not answer') ? err.message : 'database query failed';
  }
  const connected = sources.brokerConnected();
  const broker = { ok: connected !== false, state: connected === null ? ('not used' as const) : connected ? ('connected' as const) : ('disconnected' as const) };
  const outbox = {
    ok: backlog !== null && backlog.rows <= sources.outboxBacklogReadyMax,
    backlog_rows: backlog?.rows ?? null,
    backlog_rows_max: sources.outboxBacklogReadyMax,
    oldest_unsent_age_s: backlog === null ? null : sources.ageSeconds(backlog),
  };
  const database = databaseError === undefined ? { ok: true } : { ok: false, error: databaseError };
  const stopping = sources.stopping();
  const ready = database.ok && broker.ok && outbox.ok && !stopping;
  return { status: ready ? 'ok' : 'unavailable', ready, live: true, shutting_down: stopping, checks: { database, broker, outbox } };
}
