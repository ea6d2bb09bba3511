/**
 * The core's health and metrics listener (BANCO_METRICS_HOST:BANCO_METRICS_PORT, default
 * 127.0.0.1:9464, the port registered for Prometheus exporters of this kind). GET only:
 * `/metrics` (Prometheus text format), `/health` (readiness, 200 or 503 with a JSON body),
 * `/health/live` (liveness). With BANCO_METRICS_TOKEN every request needs
 * `Authorization: Bearer <token>`; beyond loopback the token is required (hub/security.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../log';
import { listenOrExplain } from '../protocol/listen';
import type { MetricsConfig } from './config';
import type { HealthReport } from './health';
import { METRICS_LIMITS } from './limits';

export interface MetricsEndpoints {
  registry: Registry;
  health(): Promise<HealthReport>;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const json = (res: http.ServerResponse, status: number, value: unknown, extra?: http.OutgoingHttpHeaders): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value) + '\n', extra);

async function answer(req: http.IncomingMessage, res: http.ServerResponse, config: MetricsConfig, endpoints: MetricsEndpoints): Promise<void> {
  if (config.token !== null && !tokenMatches(req.headers.authorization, config.token)) return json(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
  switch (path) {
    case '/metrics':
      return send(res, 200, endpoints.registry.contentType, await endpoints.registry.metrics());
    case '/health': {
      const report = await endpoints.health();
      return json(res, report.ready ? 200 : 503, report);
    }
    case '/health/live':
      return json(res, 200, { status: 'ok', live: true });
    default:
      return json(res, 404, { error: 'not found', paths: ['/metrics', '/health', '/health/live'] });
  }
}

export async function startMetricsServer(config: MetricsConfig, endpoints: MetricsEndpoints, log: Logger): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    answer(req, res, config, endpoints).catch((err: unknown) => {
      log.error('metrics.request_failed', { path: req.url?.slice(0, 100), err });
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.maxConnections = METRICS_LIMITS.connections_max;
  server.headersTimeout = METRICS_LIMITS.headers_timeout_ms;
  server.requestTimeout = METRICS_LIMITS.request_timeout_ms;
  await listenOrExplain(server, config.host, config.port, 'BANCO_METRICS_PORT', 'health and metrics listener');
  const port = (server.address() as { port: number }).port;
  log.info('metrics.listening', { host: config.host, port, auth: config.token !== null });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
