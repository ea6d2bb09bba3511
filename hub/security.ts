/**
 * The listener rule (CONTRACT §1, issue 7): whatever NODE_ENV says, a listener bound beyond
 * loopback never serves without authentication — core JSON token, broker users file (anonymous
 * off), editor login. Start-up refuses with one line naming the settings to add, unless
 * BANCO_INSECURE_DEV=on says otherwise; then every open listener is a loud warning, at start-up
 * and every few minutes, and `securityWarnings` hands the same text to anything that reports
 * health. The legacy text protocol has no authentication at all (CONTRACT §3): beyond loopback it
 * runs only when BANCO_LEGACY_TEXT=on asks for it, which is warned about the same way.
 * docs/security.md gives the reasons.
 */
import type { BrokerOptions } from '../core/broker';
import { isLoopback, type CoreConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/log';
import type { NodeRedConfig } from './config';
import type { BridgeConfig } from '../bridge/config';
import { HUB_LIMITS } from './limits';

/** The parts one process starts (absent = not started here) and the opt-out. */
export interface SecurityInputs {
  core?: Pick<CoreConfig, 'host' | 'corePort' | 'coreToken' | 'legacyText'>;
  broker?: Pick<BrokerOptions, 'host' | 'tcpPort' | 'wsPort' | 'tls' | 'usersFile' | 'allowAnonymous'>;
  editor?: Pick<NodeRedConfig, 'host' | 'port' | 'adminAuth'>;
  /** Customers log in with cédula + PIN; only its compatibility mode is unauthenticated (bridge/config.ts refuses it beyond loopback unless asked). */
  bridge?: Pick<BridgeConfig, 'host' | 'port' | 'compat'>;
  insecureDev: boolean;
}

/** A listener beyond loopback that would serve someone without authentication. */
export interface OpenListener {
  listener: string;
  address: string;
  /** The settings that close it. */
  add: string;
}

function address(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function brokerListeners(b: NonNullable<SecurityInputs['broker']>): string {
  return ['MQTT TCP', b.wsPort === null ? null : 'MQTT WebSocket', b.tls === null ? null : 'MQTT TLS'].filter((n) => n !== null).join(' + ');
}

export function openListeners(parts: SecurityInputs): OpenListener[] {
  const open: OpenListener[] = [];
  const { core, broker, editor } = parts;
  if (core && !isLoopback(core.host) && core.coreToken === null) open.push({ listener: 'core JSON lines', address: address(core.host, core.corePort), add: 'BANCO_CORE_TOKEN' });
  if (broker && !isLoopback(broker.host)) {
    const at = { listener: brokerListeners(broker), address: address(broker.host, broker.tcpPort) };
    if (broker.usersFile === null) open.push({ ...at, add: 'BANCO_MQTT_USERS_FILE (users made with "banco broker-user add")' });
    else if (broker.allowAnonymous) open.push({ ...at, add: 'BANCO_MQTT_ALLOW_ANONYMOUS=off' });
  }
  if (editor && !isLoopback(editor.host) && editor.adminAuth === null) open.push({ listener: 'Node-RED editor and admin API', address: address(editor.host, editor.port), add: 'BANCO_NODE_RED_ADMIN_USER and BANCO_NODE_RED_ADMIN_PASSWORD_HASH' });
  return open;
}

/** Throws the one start-up line when a listener would be open beyond loopback without the opt-out. */
export function enforceListenerAuth(parts: SecurityInputs): void {
  const open = openListeners(parts);
  if (open.length === 0 || parts.insecureDev) return;
  const gaps = open.map((o) => `${o.listener} on ${o.address} needs ${o.add}`).join('; ');
  throw new ConfigError(`listeners beyond loopback must authenticate their clients: ${gaps}. Add these settings, bind to 127.0.0.1 (HOST), or — on a development machine only — set BANCO_INSECURE_DEV=on (docs/security.md).`);
}

/**
 * Every way this process is insecure right now, as sentences for logs and a health report.
 * Empty when every listener beyond loopback authenticates.
 */
export function securityWarnings(parts: SecurityInputs): string[] {
  const warnings = openListeners(parts).map((o) => `INSECURE: BANCO_INSECURE_DEV=on, so ${o.listener} on ${o.address} serves anyone who reaches it WITHOUT authentication; add ${o.add}.`);
  const core = parts.core;
  if (core && core.legacyText && !isLoopback(core.host)) {
    warnings.push(`INSECURE: BANCO_LEGACY_TEXT=on, so the legacy text protocol on ${address(core.host, core.corePort)} moves money for anyone who reaches it WITHOUT authentication (it has none, CONTRACT §3); switch it off or bind to 127.0.0.1.`);
  }
  const bridge = parts.bridge;
  if (bridge && bridge.compat !== null && !isLoopback(bridge.host)) {
    warnings.push(`INSECURE: BANCO_BRIDGE_COMPAT_BEYOND_LOOPBACK=on, so the old front end's API on ${address(bridge.host, bridge.port)} moves money for anyone who reaches it WITHOUT authentication (CONTRACT §7); switch BANCO_BRIDGE_COMPAT off or bind to 127.0.0.1.`);
  }
  return warnings;
}

/** Logs the warnings now and every `insecure_warning_interval_ms`; returns the stop function. */
export function startSecurityReminder(warnings: readonly string[], log: Logger): () => void {
  if (warnings.length === 0) return () => undefined;
  const say = (): void => {
    for (const message of warnings) log.warn('security.insecure', { message });
  };
  say();
  const timer = setInterval(say, HUB_LIMITS.insecure_warning_interval_ms);
  timer.unref();
  return () => clearInterval(timer);
}
