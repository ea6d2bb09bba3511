/**
 * Settings of the core's health and metrics listener (docs/metrics.md). Read by the component
 * runner (hub/start.ts), not by loadCoreConfig: cores started in tests open no listener.
 */
import { parseBoolean, parseInteger, parsePort, type Env } from '../config';
import { ConfigError } from '../errors';
import { METRICS_LIMITS } from './limits';

export interface MetricsConfig {
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  /** When set, every request needs `Authorization: Bearer <token>`; required beyond loopback (hub/security.ts). */
  token: string | null;
  /** /health answers 503 when more outbox rows than this wait unsent. */
  outboxBacklogReadyMax: number;
}

export const METRICS_PORT_DEFAULT = 9464;
export const METRICS_TOKEN_CHARS_MIN = 16;

/** null when BANCO_METRICS=off. */
export function loadMetricsConfig(env: Env): MetricsConfig | null {
  if (!parseBoolean(env, 'BANCO_METRICS', true)) return null;
  const token = env.BANCO_METRICS_TOKEN || null;
  if (token !== null && token.length < METRICS_TOKEN_CHARS_MIN) throw new ConfigError(`BANCO_METRICS_TOKEN must be at least ${METRICS_TOKEN_CHARS_MIN} characters.`);
  return Object.freeze({
    host: env.BANCO_METRICS_HOST || env.HOST || '127.0.0.1',
    port: parsePort(env, 'BANCO_METRICS_PORT', METRICS_PORT_DEFAULT),
    token,
    outboxBacklogReadyMax: parseInteger(env, 'BANCO_HEALTH_OUTBOX_BACKLOG_MAX', METRICS_LIMITS.outbox_backlog_ready_max, 1, 100_000_000),
  });
}
