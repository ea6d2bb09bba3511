/**
 * The embedded Node-RED (CONTRACT §1, §6): editor and admin API on NODE_RED_PORT, this package's
 * nodes and plugins loaded from the package itself (`nodesDir`), the hub's default flows from
 * flows/ copied into the user directory on first start (then edited there by users).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/log';
import { listenOrExplain } from '../core/protocol/listen';
import type { NodeRedConfig } from './config';
import { installDefaultTabs, loadDefaultTabs } from './default-flows';
import { nodeRedLogging } from './node-red-log';

/** Node-RED's own types are not published; this is the part of its API the hub uses. */
interface NodeRedRuntime {
  events: { once(event: 'flows:started', listener: () => void): void };
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: express.Express;
  httpNode: express.Express;
}

/** The package root (holding package.json): two levels up from dist/hub, one from hub/. */
function packageRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'flows'))) return dir;
  }
  throw new Error(`package root not found above ${__dirname}`);
}

export const PACKAGE_ROOT = packageRoot();
export const DEFAULT_FLOWS_DIR = path.join(PACKAGE_ROOT, 'flows');

/**
 * Default tabs with a broker connection of their own: each holds its events' acknowledgements
 * until its sink accepted them, so a sink that is down (SMTP, Kafka, Azure) must not fill the
 * in-flight window of the connection the audit log uses.
 */
export const INTEGRATION_TABS = ['email', 'kafka', 'azure'] as const;

/** How long start-up waits for the flows to run (a flow waiting for missing node types never does). */
const FLOWS_START_WAIT_MS = 15_000;

export interface EmbeddedNodeRed {
  port: number;
  stop(): Promise<void>;
}

/**
 * Every start: the default tabs never installed in the user directory are added (all of them on
 * first start) with their credentials — `${ENV}` references, not secrets, so e.g. the flows' broker
 * node logs in wherever the relay does. The user's own edits are never touched (default-flows.ts).
 */
function prepareUserDir(config: NodeRedConfig, log: Logger): string {
  fs.mkdirSync(config.userDir, { recursive: true });
  // Read by Node-RED from the environment as ${BANCO_FLOWS_CLIENT_ID} (flows/hub.json) and, for
  // the integration tabs' own broker connections, ${BANCO_FLOWS_CLIENT_ID_<TAB>}.
  process.env.BANCO_FLOWS_CLIENT_ID = config.flowsClientId;
  for (const tab of INTEGRATION_TABS) process.env[`BANCO_FLOWS_CLIENT_ID_${tab.toUpperCase()}`] = `${config.flowsClientId}-${tab}`;
  const result = installDefaultTabs(config.userDir, loadDefaultTabs(DEFAULT_FLOWS_DIR), config.credentialSecret);
  if (result.added.length > 0) log.info('node-red.default_tabs_added', { tabs: result.added });
  if (result.credentialsWarning) log.warn('node-red.default_tabs_credentials', { reason: result.credentialsWarning });
  return path.join(config.userDir, 'flows.json');
}

/**
 * node-red is a dev and optional peer dependency (package.json): a palette install must not pull
 * a second Node-RED, while `npm install` in a clone brings it for the embedded hub.
 */
function requireNodeRed(): NodeRedRuntime {
  try {
    return require('node-red') as NodeRedRuntime;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND' && /'node-red'/.test((err as Error).message);
    if (!missing) throw err;
    throw new ConfigError('node-red is not installed: run "npm install" (it installs node-red for the embedded hub), or "npm install node-red@4" beside this package.');
  }
}

export async function startNodeRed(config: NodeRedConfig, log: Logger): Promise<EmbeddedNodeRed> {
  // A stopped Node-RED runtime cannot start again in the same process: require it once per start.
  const RED = requireNodeRed();
  const flowFile = prepareUserDir(config, log);
  const app = express();
  const server = http.createServer(app);
  const settings: Record<string, unknown> = {
    userDir: config.userDir,
    flowFile,
    nodesDir: [PACKAGE_ROOT],
    credentialSecret: config.credentialSecret,
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    uiHost: config.host,
    uiPort: config.port,
    adminAuth: config.adminAuth ?? undefined,
    disableEditor: false,
    externalModules: { autoInstall: false, palette: { allowInstall: !config.production } },
    logging: nodeRedLogging(config.logLevel, log),
    editorTheme: { projects: { enabled: false }, tours: false },
    functionExternalModules: false,
  };
  RED.init(server, settings);
  app.use('/', RED.httpAdmin);
  app.use('/api', RED.httpNode);
  await listenOrExplain(server, config.host, config.port, 'NODE_RED_PORT', 'Node-RED editor');
  const port = (server.address() as { port: number }).port;
  // RED.start() resolves before the flows run; the hub starts the core only once they do, so
  // the default flows are subscribed before the first event is published.
  const flowsStarted = new Promise<boolean>((resolve) => {
    RED.events.once('flows:started', () => resolve(true));
    setTimeout(() => resolve(false), FLOWS_START_WAIT_MS).unref();
  });
  await RED.start();
  if (!(await flowsStarted)) log.warn('node-red.flows_not_started', { waitedMs: FLOWS_START_WAIT_MS });
  log.info('node-red.started', { host: config.host, port, userDir: config.userDir, adminAuth: config.adminAuth !== null });
  return {
    port,
    async stop() {
      // RED.stop runs every node's close handler (audit flushes, MQTT disconnects) before resolving.
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      log.info('node-red.stopped', {});
    },
  };
}
