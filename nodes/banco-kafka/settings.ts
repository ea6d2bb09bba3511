/**
 * Reads a banco-kafka config node once into client settings (STYLE: validate once, then use).
 * No brokers (e.g. `${KAFKA_BROKERS}` with the variable unset) is not an error but *idle*: the
 * export nodes say which variable to set and skip events, without retrying or logging.
 */
import fs from 'node:fs';
import type tls from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KafkajsSettings } from './kafkajs-client';

export const BROKERS_ENV_VAR = 'KAFKA_BROKERS';
export const DEFAULT_CLIENT_ID = 'banco-hub';
export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaDef {
  brokers?: string;
  clientId?: string;
  tls?: boolean | string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized?: boolean | string;
  sasl?: string;
}

export interface KafkaCredentials {
  username?: string;
  password?: string;
  passphrase?: string;
}

export type KafkaSettingsResult =
  | { kind: 'idle'; reason: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'ok'; settings: KafkajsSettings };

const BROKER = /^[A-Za-z0-9._\-\[\]:]+:(\d{1,5})$/;

const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Node-RED leaves `${NAME}` as literal text when NAME is unset: that means "not set" here. */
function trimmed(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' || ENV_REFERENCE.test(text) ? undefined : text;
}

/** The variable an unset `${NAME}` setting refers to, to name it in the idle status. */
function unsetEnvName(value: unknown): string | undefined {
  return typeof value === 'string' ? ENV_REFERENCE.exec(value.trim())?.[1] : undefined;
}

function flag(value: unknown, fallback: boolean): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fallback;
}

export function parseBrokers(text: string): string[] | string {
  const brokers = text.split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const broker of brokers) {
    const m = BROKER.exec(broker);
    const port = m ? Number(m[1]) : 0;
    if (!m || port < 1 || port > 65_535) return `"${broker}" is not host:port`;
  }
  return brokers;
}

function readTls(def: KafkaDef, creds: KafkaCredentials): tls.ConnectionOptions | string | undefined {
  const files = { ca: trimmed(def.caFile), cert: trimmed(def.certFile), key: trimmed(def.keyFile) };
  if (!flag(def.tls, false)) {
    return files.ca || files.cert || files.key ? 'TLS files are set but TLS is off: tick "Use TLS" or clear them' : undefined;
  }
  if (Boolean(files.cert) !== Boolean(files.key)) return 'a client certificate needs both the certificate and the key file';
  const options: tls.ConnectionOptions = { rejectUnauthorized: flag(def.rejectUnauthorized, true) };
  for (const [field, file] of Object.entries(files)) {
    if (!file) continue;
    try {
      options[field as 'ca' | 'cert' | 'key'] = fs.readFileSync(file);
    } catch (err) {
      return `cannot read the TLS ${field} file ${file}: ${(err as Error).message}`;
    }
  }
  const passphrase = trimmed(creds.passphrase);
  if (passphrase) options.passphrase = passphrase;
  return options;
}

function readSasl(def: KafkaDef, creds: KafkaCredentials): SASLOptions | string | undefined {
  const mechanism = (trimmed(def.sasl) ?? 'none') as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) return `unknown SASL mechanism "${mechanism}" (use ${SASL_MECHANISMS.join(', ')})`;
  if (mechanism === 'none') return undefined;
  const username = trimmed(creds.username);
  const password = trimmed(creds.password);
  if (!username || !password) return `SASL ${mechanism} needs a username and a password`;
  return { mechanism, username, password };
}

export function readKafkaSettings(def: KafkaDef, creds: KafkaCredentials = {}): KafkaSettingsResult {
  const brokersText = trimmed(def.brokers);
  if (!brokersText) return { kind: 'idle', reason: unsetEnvName(def.brokers) ?? BROKERS_ENV_VAR };
  const brokers = parseBrokers(brokersText);
  if (typeof brokers === 'string') return { kind: 'invalid', message: `brokers: ${brokers}` };
  const tlsOptions = readTls(def, creds);
  if (typeof tlsOptions === 'string') return { kind: 'invalid', message: tlsOptions };
  const sasl = readSasl(def, creds);
  if (typeof sasl === 'string') return { kind: 'invalid', message: sasl };
  return { kind: 'ok', settings: { brokers, clientId: trimmed(def.clientId) ?? DEFAULT_CLIENT_ID, tls: tlsOptions, sasl } };
}
