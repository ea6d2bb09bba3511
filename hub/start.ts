/**
 * `banco start [all|broker|core|node-red]`: the hub's components, each runnable alone
 * (separate processes, scaled out) or all in one process on embedded defaults (`npm start`).
 * Start order: broker → Node-RED (its flows subscribe) → core (+ relay); stop order: core (flush
 * the outbox) → Node-RED → broker.
 */
import path from 'node:path';
import { isAccountKey } from '../core/ledger/cedula';
import type { Ledger } from '../core/ledger/ledger';
import { loadBrokerConfig, startEmbeddedBroker, type Principal } from '../core/broker';
import { loadCoreConfig, type Env } from '../core/config';
import { startCore } from '../core/core-service';
import { ConfigError, HubError } from '../core/errors';
import type { Logger } from '../core/log';
import { loadNodeRedConfig } from './config';
import { startNodeRed } from './node-red';

export const COMPONENTS = ['all', 'broker', 'core', 'node-red'] as const;
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

export async function startComponents(component: Component, env: Env, log: Logger): Promise<Running[]> {
  if (!(COMPONENTS as readonly string[]).includes(component)) throw new ConfigError(`unknown component "${component}"; use one of: ${COMPONENTS.join(', ')}.`);
  const running: Running[] = [];
  // One data directory for every component, also as Node-RED's nodes see it (audit log default).
  env.DATA_DIR = path.resolve(env.DATA_DIR || './data');
  // The default flows name the prefix as ${BANCO_TOPIC_PREFIX}; Node-RED leaves unset variables as text.
  env.BANCO_TOPIC_PREFIX = env.BANCO_TOPIC_PREFIX || 'banco';
  // …and its broker credentials as ${BANCO_MQTT_USERNAME}/${BANCO_MQTT_PASSWORD}: empty = anonymous (dev).
  env.BANCO_MQTT_USERNAME = env.BANCO_MQTT_USERNAME ?? '';
  env.BANCO_MQTT_PASSWORD = env.BANCO_MQTT_PASSWORD ?? '';
  try {
    let ledger: Ledger | null = null;
    const embeddedBroker = component === 'broker' || (component === 'all' && !env.MQTT_URL);
    if (embeddedBroker) {
      const options = { ...loadBrokerConfig(env), authenticate: component === 'all' ? customerLogin(() => ledger) : undefined };
      const broker = await startEmbeddedBroker(options, log.child({ component: 'broker' }));
      running.push({ name: 'broker', stop: () => broker.stop() });
    }
    // Node-RED before the core: its flows subscribe before the relay publishes the first event.
    if (component === 'all' || component === 'node-red') {
      if (!env.BANCO_HUB_MQTT_URL) env.BANCO_HUB_MQTT_URL = env.MQTT_URL || `mqtt://127.0.0.1:${env.MQTT_PORT || 1883}`;
      const red = await startNodeRed(loadNodeRedConfig(env), log.child({ component: 'node-red' }));
      running.push({ name: 'node-red', stop: () => red.stop() });
    }
    if (component === 'all' || component === 'core') {
      const core = await startCore(loadCoreConfig(env), { log });
      ledger = core.ledger;
      running.push({ name: 'core', stop: () => core.stop() });
    }
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
const STOP_ORDER = ['core', 'node-red', 'broker'];
const DELIVERY_SETTLE_MS = 300;

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
