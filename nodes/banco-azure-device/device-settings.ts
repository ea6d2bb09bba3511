/**
 * Reads a banco-azure-device node's configuration once (STYLE: validate once, then use). A missing
 * connection string makes the device *idle* (the default flow before AZURE_IOT_CONNECTION_STRING is
 * set); a wrong one is a `configError` shown on every user's status — neither throws.
 */
import fs from 'node:fs';
import { boundedInt } from '../shared/bounds';
import { isUnsetEnvReference, parseConnectionString, type DeviceIdentity } from './connection-string';
import { AZURE_LIMITS, IOT_HUB_MQTT_PORT } from './limits';

export interface AzureDeviceDef {
  tokenLifetime?: string | number;
  endpoint?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface AzureDeviceCredentials {
  connectionString?: string;
  passphrase?: string;
}

export interface DeviceTls {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
}

export interface DeviceSettings {
  identity: DeviceIdentity;
  /** Where the TLS connection goes: the endpoint setting, else GatewayHostName, else HostName; port 8883. */
  host: string;
  port: number;
  tokenLifetime_s: number;
  tls: DeviceTls;
}

/** What to set, named for the status (e.g. `AZURE_IOT_CONNECTION_STRING`). */
export type ReadResult =
  | { kind: 'ready'; settings: DeviceSettings }
  | { kind: 'idle'; missing: string }
  | { kind: 'error'; message: string };

const DEFAULT_ENV = 'AZURE_IOT_CONNECTION_STRING';

/** A setting's text; an unset `${VAR}` (Node-RED leaves the reference when the variable is missing) counts as empty. */
function trimmed(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && !isUnsetEnvReference(value) ? value.trim() : undefined;
}

function endpointOf(text: string | undefined, fallbackHost: string): { host: string; port: number } | string {
  if (!text) return { host: fallbackHost, port: IOT_HUB_MQTT_PORT };
  const m = /^(?:mqtts:\/\/)?(\[[0-9a-fA-F:]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(text);
  const port = m?.[2] === undefined ? IOT_HUB_MQTT_PORT : Number(m[2]);
  if (!m || port < 1 || port > 65_535) return `endpoint "${text}" is not host[:port]`;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

function readFiles(def: AzureDeviceDef, passphrase: string | undefined): DeviceTls | string {
  const tls: DeviceTls = {};
  const files: Array<['ca' | 'cert' | 'key', string | undefined, string]> = [['ca', trimmed(def.caFile), 'CA'], ['cert', trimmed(def.certFile), 'certificate'], ['key', trimmed(def.keyFile), 'key']];
  for (const [field, file, what] of files) {
    if (!file) continue;
    let pem: Buffer;
    try {
      pem = fs.readFileSync(file);
    } catch (err) {
      return `cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (field === 'ca') tls.ca = [pem];
    else tls[field] = pem;
  }
  if (passphrase) tls.passphrase = passphrase;
  return tls;
}

export function readDeviceSettings(def: AzureDeviceDef, creds: AzureDeviceCredentials): ReadResult {
  const raw = creds.connectionString;
  if (!trimmed(raw) || isUnsetEnvReference(raw)) {
    const named = isUnsetEnvReference(raw) ? raw!.trim().slice(2, -1) : DEFAULT_ENV;
    return { kind: 'idle', missing: named };
  }
  const parsed = parseConnectionString(raw);
  if (!parsed.ok) return { kind: 'error', message: parsed.message };
  const { identity } = parsed;
  const hasCert = Boolean(trimmed(def.certFile)) || Boolean(trimmed(def.keyFile));
  if (identity.x509 && !(trimmed(def.certFile) && trimmed(def.keyFile))) return { kind: 'error', message: 'x509=true needs the client certificate and key files' };
  if (!identity.x509 && hasCert) return { kind: 'error', message: 'a client certificate is set but the connection string has a SharedAccessKey: use x509=true for certificate authentication' };
  const endpoint = endpointOf(trimmed(def.endpoint), identity.gatewayHostName ?? identity.hostName);
  if (typeof endpoint === 'string') return { kind: 'error', message: endpoint };
  const tls = readFiles(def, trimmed(creds.passphrase));
  if (typeof tls === 'string') return { kind: 'error', message: tls };
  const L = AZURE_LIMITS;
  const tokenLifetime_s = boundedInt(def.tokenLifetime, L.token_lifetime_s_default, L.token_lifetime_s_min, L.token_lifetime_s_max);
  return { kind: 'ready', settings: { identity, host: endpoint.host, port: endpoint.port, tokenLifetime_s, tls } };
}

/** When to renew a token that expires at `expiry_ms`: once 80 % of its life has passed (at least 1 s from now). */
export function renewDelay_ms(expiry_ms: number, lifetime_s: number, now_ms: number): number {
  const margin_ms = lifetime_s * 1000 * (1 - AZURE_LIMITS.token_renew_fraction);
  return Math.max(1_000, expiry_ms - margin_ms - now_ms);
}
