/**
 * Reads a banco-smtp node's configuration once (STYLE: validate once, then use) into a plan:
 * send over SMTP with these nodemailer pool options, write to the pickup folder because no server
 * is configured, or refuse with a message saying what to change. Nothing here throws.
 *
 * The server is given either as host + port + security mode, or as one URL
 * (`smtp://user:pass@host:587`, `smtps://host:465`; the default tab uses `${BANCO_SMTP_URL}`).
 * A `${VAR}` that Node-RED left as text (the variable is unset) counts as "not set".
 */
import fs from 'node:fs';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { boundedInt } from '../shared/bounds';
import { SMTP_LIMITS, SMTP_PORTS } from './limits';

export type Security = 'starttls' | 'tls' | 'plain';
export type AuthType = 'none' | 'login' | 'oauth2';

export interface SmtpDef {
  url?: string;
  host?: string;
  port?: string | number;
  security?: string;
  caFile?: string;
  servername?: string;
  allowSelfSigned?: boolean | string;
  authType?: string;
  from?: string;
  maxConnections?: string | number;
  rateLimit?: string | number;
  oauthAccessUrl?: string;
}

export interface SmtpCredentials {
  user?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
}

export const DEFAULT_FROM = 'Banco Hub <alertas@localhost>';

export type SmtpPlan =
  | { mode: 'smtp'; options: SMTPPool.Options; from: string; target: string }
  | { mode: 'pickup'; from: string }
  | { mode: 'error'; message: string; from: string };

/** A setting's text, or undefined when empty or an unresolved `${VAR}`. */
export function settingText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (t === '' || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(t)) return undefined;
  return t;
}

const SECURITIES: readonly Security[] = ['starttls', 'tls', 'plain'];

interface Server {
  host: string;
  port: number;
  security: Security;
  user?: string;
  password?: string;
}

/** `smtp://` = STARTTLS required, `smtps://` = implicit TLS; `?security=plain` allows a plain session. */
function serverFromUrl(text: string): Server | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the SMTP URL is not a URL (expected smtp://host:587 or smtps://host:465)';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return `unsupported SMTP URL scheme ${url.protocol} (use smtp:// or smtps://)`;
  for (const key of url.searchParams.keys()) if (key !== 'security') return `unknown SMTP URL parameter "${key}" (only security=plain is known)`;
  const plain = url.searchParams.get('security') === 'plain';
  if (plain && url.protocol === 'smtps:') return 'security=plain contradicts smtps://';
  const security: Security = url.protocol === 'smtps:' ? 'tls' : plain ? 'plain' : 'starttls';
  const port = url.port === '' ? SMTP_PORTS[security === 'plain' ? 'starttls' : security] : Number(url.port);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    security,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

function serverFromFields(def: SmtpDef, host: string): Server | string {
  const security = (SECURITIES as readonly string[]).includes(String(def.security)) ? (def.security as Security) : 'starttls';
  const port = boundedInt(settingText(String(def.port ?? '')), SMTP_PORTS[security], 1, 65_535);
  return { host, port, security };
}

function tlsOptions(def: SmtpDef): SMTPPool.Options['tls'] | string {
  const allowSelfSigned = def.allowSelfSigned === true || def.allowSelfSigned === 'true';
  const tls: NonNullable<SMTPPool.Options['tls']> = { rejectUnauthorized: !allowSelfSigned, minVersion: 'TLSv1.2' };
  const caFile = settingText(def.caFile);
  if (caFile) {
    try {
      tls.ca = [fs.readFileSync(caFile)];
    } catch (err) {
      return `cannot read the CA file ${caFile}: ${(err as Error).message}`;
    }
  }
  const servername = settingText(def.servername);
  if (servername) tls.servername = servername;
  return tls;
}

function authOptions(def: SmtpDef, creds: SmtpCredentials, server: Server): SMTPPool.Options['auth'] | string | undefined {
  const user = settingText(creds.user) ?? server.user;
  const type = def.authType === 'oauth2' ? 'oauth2' : def.authType === 'none' ? 'none' : def.authType === 'login' ? 'login' : user ? 'login' : 'none';
  if (type === 'none') return undefined;
  if (!user) return `authentication "${type}" needs a user`;
  if (type === 'login') {
    const pass = settingText(creds.password) ?? server.password;
    if (!pass) return 'user + password authentication needs a password';
    return { type: 'login', user, pass };
  }
  const clientId = settingText(creds.clientId);
  const clientSecret = settingText(creds.clientSecret);
  const refreshToken = settingText(creds.refreshToken);
  if (!clientId || !clientSecret || !refreshToken) return 'OAuth2 needs a client id, a client secret and a refresh token';
  const accessUrl = settingText(def.oauthAccessUrl);
  return { type: 'OAuth2', user, clientId, clientSecret, refreshToken, ...(accessUrl ? { accessUrl } : {}) };
}

export function readSmtpSettings(def: SmtpDef, creds: SmtpCredentials = {}): SmtpPlan {
  const from = settingText(def.from) ?? DEFAULT_FROM;
  if (/[\r\n]/.test(from)) return { mode: 'error', message: 'the from address contains a line break', from: DEFAULT_FROM };
  const url = settingText(def.url);
  const host = settingText(def.host);
  if (!url && !host) return { mode: 'pickup', from };
  const server = url ? serverFromUrl(url) : serverFromFields(def, host as string);
  if (typeof server === 'string') return { mode: 'error', message: server, from };
  const tls = tlsOptions(def);
  if (typeof tls === 'string') return { mode: 'error', message: tls, from };
  const auth = authOptions(def, creds, server);
  if (typeof auth === 'string') return { mode: 'error', message: auth, from };
  const L = SMTP_LIMITS;
  const options: SMTPPool.Options = {
    pool: true,
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    ignoreTLS: server.security === 'plain',
    tls,
    auth,
    maxConnections: boundedInt(def.maxConnections, L.connections_default, L.connections_min, L.connections_max),
    maxMessages: L.mails_per_connection_max,
    rateDelta: L.rate_window_ms,
    rateLimit: boundedInt(def.rateLimit, L.mails_per_minute_default, L.mails_per_minute_min, L.mails_per_minute_max),
    // Retries are the sink queue's (one place, with backoff): the pool must not resend on its own.
    maxRequeues: 0,
    idleTimeout: L.idle_timeout_ms,
    connectionTimeout: L.connect_timeout_ms,
    greetingTimeout: L.greeting_timeout_ms,
    socketTimeout: L.socket_timeout_ms,
    logger: false,
    debug: false,
  };
  const target = `${server.security === 'tls' ? 'smtps' : 'smtp'}://${server.host}:${server.port}`;
  return { mode: 'smtp', options, from, target };
}
