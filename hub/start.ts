/**
 * `banco start <broker|core|node-red|bridge>`: one of the hub's components in this process — what
 * each child of the supervisor runs under `npm start` (supervisor.ts), or one alone when scaled
 * out. `startComponents('all')` still runs all of them in one process, for embedding the hub.
 * Before anything listens, every part's settings are validated and the listener rule applied
 * (security.ts: nothing beyond loopback without authentication, CONTRACT §1).
 * Start order: broker → Node-RED (its flows subscribe) → core (+ relay) → bridge (needs the core);
 * stop order: bridge → core (flush the outbox) → Node-RED → broker.
 */
import path from 'node:path';
import { isAccountKey } from '../core/ledger/cedula';
import type { Ledger } from '../core/ledger/ledger';
import { corePinCheck } from '../core/broker/core-pin-check';
import { devServiceFile, loadBrokerConfig, loadDevServiceCredential, startEmbeddedBroker, type BrokerOptions, type Principal } from '../core/broker';
import { loadCoreConfig, parseBoolean, parseInsecureDev, type CoreConfig, type Env } from '../core/config';
import { startCore } from '../core/core-service';
import { ConfigError, HubError } from '../core/errors';
import type { Logger } from '../core/log';
import { loadNodeRedConfig, type NodeRedConfig } from './config';
import { enforceListenerAuth, securityWarnings, startSecurityReminder, type SecurityInputs } from './security';
import { startNodeRed } from './node-red';
import { loadBridgeConfig, type BridgeConfig } from '../bridge/config';
import { startBridge } from '../bridge/server';

export const COMPONENTS = ['all', 'broker', 'core', 'node-red', 'bridge'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface Running {
  name: string;
  stop(): Promise<void>;
}

/**
 * Web customers log in to the embedded broker with cédula + PIN (username + password) and may
 * then read only their own `banco/saldo/<cedula>` (CONTRACT §5). Wrong PINs count towards the
 * account's lock, exactly as on the core's `verificar_pin`.
 */
function customerLogin(ledger: () => Ledger | null) {
  return async (username: string, password: string): Promise<Principal | null> => {
    const l = ledger();
    if (l === null || !isAccountKey(username)) return null;
    const r = await l.verificarPin(username, password);
    // Too many PIN checks in flight: the broker answers "server unavailable", not "wrong PIN".
    if (!r.ok && r.code === 'LIMITE_EXCEDIDO') throw new HubError('LIMITE_EXCEDIDO');
    return r.ok ? { username, role: 'customer', cedula: username } : null;
  };
}

/** Does this component run an MQTT client of the hub's own (relay or default flows)? */
function needsServiceLogin(component: Component, env: Env): boolean {
  if (component === 'all' || component === 'node-red') return true;
  return component === 'core' && parseBoolean(env, 'BANCO_RELAY', true);
}

/**
 * Gives the relay and the default flows a `service` login when none is configured: anonymous
 * clients may only read (core/broker/principal.ts). On the embedded broker without a users file
 * that is the development service credential under DATA_DIR, shared by every process of the hub
 * through the file, never logged. The flows read it as ${BANCO_MQTT_USERNAME}/${BANCO_MQTT_PASSWORD}.
 */
async function provideServiceLogin(component: Component, env: Env): Promise<void> {
  const configured = (env.BANCO_MQTT_USERNAME ?? '') !== '';
  if (!configured && needsServiceLogin(component, env) && !env.MQTT_URL) {
    if (env.BANCO_MQTT_USERS_FILE || env.NODE_ENV === 'production') throw new ConfigError('the relay and the default flows need a service login on a broker with a users file: set BANCO_MQTT_USERNAME and BANCO_MQTT_PASSWORD (banco broker-user add <name> --role service).');
    const dev = await loadDevServiceCredential(devServiceFile(env.DATA_DIR ?? './data'));
    env.BANCO_MQTT_USERNAME = dev.username;
    env.BANCO_MQTT_PASSWORD = dev.password;
  }
  // Unset = anonymous for the flows' broker node (${…} left unset would be sent as text).
  env.BANCO_MQTT_USERNAME = env.BANCO_MQTT_USERNAME ?? '';
  env.BANCO_MQTT_PASSWORD = env.BANCO_MQTT_PASSWORD ?? '';
}

export interface Plan {
  broker: BrokerOptions | null;
  editor: NodeRedConfig | null;
  core: CoreConfig | null;
  bridge: BridgeConfig | null;
  security: SecurityInputs;
}

/** Every setting of the parts to start, validated before anything listens. */
function planComponents(component: Component, env: Env): Plan {
  const embeddedBroker = component === 'broker' || (component === 'all' && !env.MQTT_URL);
  const broker = embeddedBroker ? loadBrokerConfig(env) : null;
  const editor = component === 'all' || component === 'node-red' ? loadNodeRedConfig(env) : null;
  const core = component === 'all' || component === 'core' ? loadCoreConfig(env) : null;
  const bridge = component === 'all' || component === 'bridge' ? loadBridgeConfig(env) : null;
  const security: SecurityInputs = { core: core ?? undefined, broker: broker ?? undefined, editor: editor ?? undefined, bridge: bridge ?? undefined, insecureDev: parseInsecureDev(env) };
  enforceListenerAuth(security);
  return { broker, editor, core, bridge, security };
}

/**
 * The settings every component of one hub shares, completed in `env` (so child processes inherit
 * them), and validated with the listener rule before anything listens.
 */
export async function prepareEnvironment(component: Component, env: Env): Promise<Plan> {
  if (!(COMPONENTS as readonly string[]).includes(component)) throw new ConfigError(`unknown component "${component}"; use one of: ${COMPONENTS.join(', ')}.`);
  // One data directory for every component, also as Node-RED's nodes see it (audit log default).
  env.DATA_DIR = path.resolve(env.DATA_DIR || './data');
  // The default flows name the prefix as ${BANCO_TOPIC_PREFIX}; Node-RED leaves unset variables as text.
  env.BANCO_TOPIC_PREFIX = env.BANCO_TOPIC_PREFIX || 'banco';
  if (!env.BANCO_HUB_MQTT_URL) env.BANCO_HUB_MQTT_URL = env.MQTT_URL || `mqtt://127.0.0.1:${env.MQTT_PORT || 1883}`;
  const plan = planComponents(component, env);
  await provideServiceLogin(component, env);
  return plan;
}

/**
 * Starts `component` in this process: one of them (what each child of the supervisor runs), or
 * `all` in one process — kept for embedding the hub and for tests; `npm start` runs the
 * supervisor instead (supervisor.ts).
 */
export async function startComponents(component: Component, env: Env, log: Logger): Promise<Running[]> {
  const plan = await prepareEnvironment(component, env);
  const running: Running[] = [];
  try {
    let ledger: Ledger | null = null;
    if (plan.broker !== null) {
      // In one process the broker asks the ledger; alone, it asks the core over JSON lines.
      const authenticate = component === 'all' ? customerLogin(() => ledger) : (plan.broker.corePinCheck === null ? undefined : corePinCheck(plan.broker.corePinCheck, log.child({ component: 'broker' })));
      const options = { ...plan.broker, authenticate };
      const broker = await startEmbeddedBroker(options, log.child({ component: 'broker' }));
      running.push({ name: 'broker', stop: () => broker.stop() });
    }
    // Node-RED before the core: its flows subscribe before the relay publishes the first event.
    if (plan.editor !== null) {
      const red = await startNodeRed(plan.editor, log.child({ component: 'node-red' }));
      running.push({ name: 'node-red', stop: () => red.stop() });
    }
    if (plan.core !== null) {
      // Loaded again: provideServiceLogin may have just supplied the relay's login.
      const core = await startCore(loadCoreConfig(env), { log });
      ledger = core.ledger;
      running.push({ name: 'core', stop: () => core.stop() });
    }
    if (plan.bridge !== null) {
      // Loaded again: provideServiceLogin may have just supplied the MQTT login.
      const bridge = await startBridge(loadBridgeConfig(env), log.child({ component: 'bridge' }));
      running.push({ name: 'bridge', stop: () => bridge.stop() });
    }
    const stopReminder = startSecurityReminder(securityWarnings(plan.security), log.child({ component: 'security' }));
    running.push({ name: 'security', stop: async () => stopReminder() });
    return running;
  } catch (err) {
    await stopAll(running, log);
    throw err;
  }
}

/**
 * Stop order (CONTRACT §1): the core stops accepting, finishes in-flight requests and flushes its
 * outbox while Node-RED still consumes; then Node-RED closes (its nodes finish their writes);
 * the broker goes last.
 */
const STOP_ORDER = ['security', 'bridge', 'core', 'node-red', 'broker'];
export const DELIVERY_SETTLE_MS = 300;

export async function stopAll(running: Running[], log: Logger): Promise<void> {
  const ordered = [...running].sort((a, b) => STOP_ORDER.indexOf(a.name) - STOP_ORDER.indexOf(b.name));
  for (const part of ordered) {
    try {
      await part.stop();
    } catch (err) {
      log.error('component.stop_failed', { component: part.name, err });
    }
    // The broker acknowledged the core's last publishes; give their delivery to the flows a
    // moment before those close. (What is still queued then waits in the persistent session.)
    if (part.name === 'core' && running.some((r) => r.name === 'node-red')) await new Promise((r) => setTimeout(r, DELIVERY_SETTLE_MS));
  }
}
