/**
 * Reads a banco-broker node's configuration once into ConnectionSettings (STYLE: validate once,
 * then use). Errors become `configError`, shown on every user's status, instead of a throw.
 */
import { randomBytes } from 'node:crypto';
import { boundedInt, NODE_BOUNDS } from '../shared/bounds';
import { DEFAULT_TOPIC_PREFIX } from '../shared/event-kinds';
import type { ConnectionSettings } from './connection';
import { buildTlsOptions } from './tls-options';

export const DEFAULT_BROKER_URL = 'mqtt://127.0.0.1:1883';

export interface BrokerDef {
  url?: string;
  clientId?: string;
  persistentSession?: boolean | string;
  keepalive?: string | number;
  topicPrefix?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  servername?: string;
  rejectUnauthorized?: boolean | string;
}

export interface BrokerCredentials {
  username?: string;
  password?: string;
  passphrase?: string;
}

function trimmed(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function topicPrefixOf(def: BrokerDef): string {
  return (trimmed(def.topicPrefix) ?? DEFAULT_TOPIC_PREFIX).replace(/\/+$/, '');
}

function parseUrl(raw: string): URL | string {
  try {
    const url = new URL(raw);
    if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(url.protocol)) return `unsupported broker URL scheme ${url.protocol}`;
    return url;
  } catch {
    return `broker URL is not a URL: ${raw}`;
  }
}

export function readSettings(def: BrokerDef, creds: BrokerCredentials = {}): ConnectionSettings {
  const urlText = trimmed(def.url) ?? DEFAULT_BROKER_URL;
  const fixedClientId = trimmed(def.clientId);
  const persistent = def.persistentSession === true || def.persistentSession === 'true';
  const base: ConnectionSettings = {
    url: urlText,
    clientId: fixedClientId ?? `banco_${randomBytes(6).toString('hex')}`,
    cleanSession: !persistent,
    username: trimmed(creds.username),
    password: creds.password || undefined,
    keepaliveS: boundedInt(def.keepalive, NODE_BOUNDS.keepalive_s_default, NODE_BOUNDS.keepalive_s_min, NODE_BOUNDS.keepalive_s_max),
  };
  if (persistent && !fixedClientId) return { ...base, configError: 'a persistent session needs a fixed client id' };
  const url = parseUrl(urlText);
  if (typeof url === 'string') return { ...base, configError: url };
  const tls = buildTlsOptions(url, {
    caFile: trimmed(def.caFile),
    certFile: trimmed(def.certFile),
    keyFile: trimmed(def.keyFile),
    servername: trimmed(def.servername),
    passphrase: creds.passphrase || undefined,
    rejectUnauthorized: def.rejectUnauthorized !== false && def.rejectUnauthorized !== 'false',
  });
  if (!tls.ok) return { ...base, configError: tls.message };
  return { ...base, tls: tls.options };
}
