/**
 * Assembles the bridge (CONTRACT §7): session secret → core pool → HTTP app (headers, per-IP
 * limit, customer API, compatibility API, the page) → Socket.IO (customer namespace, compat
 * namespace) → MQTT event feed → listen on BRIDGE_PORT. `stop()` undoes it in reverse: stop
 * accepting, end sockets, let in-flight requests finish (bounded), close the feed and the pool.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server as SocketServer } from 'socket.io';
import { listenOrExplain } from '../core/protocol/listen';
import { ConfigError, HubError } from '../core/errors';
import type { Logger } from '../core/log';
import { compatRoutes } from './compat/compat-routes';
import { attachCompatSocket } from './compat/compat-socket';
import type { BridgeConfig } from './config';
import type { BridgeContext } from './context';
import { CorePool } from './core-client/core-pool';
import { accountRoutes } from './http/account-routes';
import { sendError } from './http/customer-errors';
import { KeyedRateLimits } from './http/keyed-rate-limits';
import { movementRoutes } from './http/movement-routes';
import { securityHeaders } from './http/security-headers';
import { sessionRoutes } from './http/session-routes';
import { wrap } from './http/wrap';
import { EventFeed } from './live/event-feed';
import { socketPush } from './live/socket-push';
import { BRIDGE_LIMITS } from './limits';
import { loadSessionSecret } from './session/session-secret';
import { SessionRevocations } from './session/session-revocations';
import { SessionSigner } from './session/session-token';
import { attachCustomerSocket } from './socket/customer-socket';

export interface RunningBridge {
  readonly port: number;
  stop(): Promise<void>;
}

export const PUBLIC_DIR = path.join(__dirname, 'public');

function buildApp(ctx: BridgeContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // One hop: the client address is the entry the balancer appended to X-Forwarded-For, never one
  // the client wrote itself (`true` would take the left-most, client-controlled entry).
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false);
  app.use(securityHeaders(ctx.config.tls !== null));
  app.use((req, res, next) => (ctx.limits.ip.tryTake(req.ip ?? '') ? next() : sendError(res, 'LIMITE_EXCEDIDO')));
  app.use(express.json({ limit: BRIDGE_LIMITS.body_bytes_max, strict: true }));
  app.use('/api/v1', sessionRoutes(ctx, wrap), accountRoutes(ctx, wrap), movementRoutes(ctx, wrap));
  if (ctx.config.compat !== null) app.use(compatRoutes(ctx.core, ctx.config.compat.origins, wrap));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
  app.use((_req, res) => sendError(res, 'OP_DESCONOCIDA', 'No encontrado.'));
  // Every failure ends here: a typed error keeps its code; anything else is INTERNO, logged, no stack sent.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendError(res, 'JSON_INVALIDO', 'El cuerpo de la solicitud no es JSON válido.');
    if (e.type === 'entity.too.large') return sendError(res, 'PARAMETRO_INVALIDO', 'Solicitud demasiado grande.');
    if (err instanceof HubError) return sendError(res, err.code);
    ctx.log.error('bridge.request_failed', { path: req.path, err });
    sendError(res, 'INTERNO');
  });
  return app;
}

export async function startBridge(config: BridgeConfig, log: Logger, nowMs: () => number = Date.now): Promise<RunningBridge> {
  if (!fs.existsSync(path.join(PUBLIC_DIR, 'index.html'))) throw new ConfigError(`the bridge's page is missing at ${PUBLIC_DIR}; run npm run build.`);
  const secret = await loadSessionSecret(config.sessionSecret, config.dataDir);
  const core = new CorePool({ ...config.core, pendingMax: BRIDGE_LIMITS.core_pending_max, lineBytesMax: BRIDGE_LIMITS.core_line_bytes_max }, log);
  await core.start().catch((err: unknown) => {
    throw new ConfigError(`bridge: cannot reach the banking core at ${config.core.host}:${config.core.port} (${(err as Error).message}); start the core or set BANCO_BRIDGE_CORE_HOST / CORE_PORT${err instanceof HubError && err.code === 'NO_AUTORIZADO' ? ' and BANCO_CORE_TOKEN' : ''}.`);
  });
  const ctx: BridgeContext = {
    config,
    core,
    signer: new SessionSigner(secret, config.sessionTtlMs, config.sessionIdleMs),
    revocations: new SessionRevocations(),
    feed: null as unknown as EventFeed, // set below, once Socket.IO exists for its sink
    limits: {
      // A burst is never below one second's (for logins: one minute's) worth of the rate.
      ip: new KeyedRateLimits(config.rates.ipRequestsPerSecond, Math.max(BRIDGE_LIMITS.ip_requests_burst_max, config.rates.ipRequestsPerSecond), nowMs),
      login: new KeyedRateLimits(config.rates.ipLoginsPerMinute / 60, Math.max(BRIDGE_LIMITS.ip_logins_burst_max, config.rates.ipLoginsPerMinute), nowMs),
      session: new KeyedRateLimits(config.rates.sessionRequestsPerSecond, Math.max(BRIDGE_LIMITS.session_requests_burst_max, config.rates.sessionRequestsPerSecond), nowMs),
    },
    nowMs,
    log,
    endSessionSockets: () => undefined,
  };
  const app = buildApp(ctx);
  const server = config.tls ? https.createServer({ cert: config.tls.cert, key: config.tls.key }, app) : http.createServer(app);
  const compatOrigins = config.compat?.origins ?? [];
  const io = new SocketServer(server, { serveClient: true, maxHttpBufferSize: BRIDGE_LIMITS.body_bytes_max, cors: { origin: compatOrigins, credentials: false } });
  io.engine.on('connection', (raw: { close: () => void }) => {
    if (io.engine.clientsCount > BRIDGE_LIMITS.sockets_max) raw.close();
  });
  const customers = attachCustomerSocket(ctx, io);
  attachCompatSocket(io, core, config.compat !== null);
  ctx.feed = new EventFeed(config.eventBus, socketPush(io, core, config.compat !== null), log);
  try {
    await ctx.feed.start();
    await listenOrExplain(server, config.host, config.port, 'BRIDGE_PORT', 'bridge');
  } catch (err) {
    customers.stop();
    await ctx.feed.stop().catch(() => undefined);
    await core.stop();
    throw err instanceof HubError ? new ConfigError(err.message) : err;
  }
  const port = (server.address() as { port: number }).port;
  log.info('bridge.listening', { host: config.host, port, compat: config.compat !== null, tls: config.tls !== null });
  return { port, stop: () => stopBridge(server, io, customers, ctx) };
}

async function stopBridge(server: http.Server, io: SocketServer, customers: { stop: () => void }, ctx: BridgeContext): Promise<void> {
  customers.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  io.disconnectSockets(true);
  for (const nsp of io._nsps.values()) nsp.disconnectSockets(true);
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), BRIDGE_LIMITS.shutdown_grace_ms);
  await closed;
  clearTimeout(grace);
  await ctx.feed.stop().catch(() => undefined);
  await ctx.core.stop();
}
