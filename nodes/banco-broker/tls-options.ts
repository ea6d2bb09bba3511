/**
 * Turns the broker node's TLS settings into mqtt.js/Node `tls.connect` options. Every combination
 * a user can set either works or is refused with a message saying what to change — no setting is
 * silently ignored (the half-working TLS of other MQTT nodes, RESEARCH "MQTT brokers").
 */
import fs from 'node:fs';

export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

export interface TlsOptions {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

export type TlsResult = { ok: true; options: TlsOptions | undefined } | { ok: false; message: string };

const TLS_SCHEMES = new Set(['mqtts:', 'wss:']);

export function usesTls(url: URL): boolean {
  return TLS_SCHEMES.has(url.protocol);
}

function hasFileSettings(s: TlsSettings): boolean {
  return Boolean(s.caFile || s.certFile || s.keyFile || s.servername);
}

function readPem(file: string, what: string): Buffer | string {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    return `cannot read the ${what} file ${file}: ${(err as Error).message}`;
  }
}

export function buildTlsOptions(url: URL, s: TlsSettings): TlsResult {
  if (!usesTls(url)) {
    if (hasFileSettings(s)) return { ok: false, message: `TLS settings are set but the URL ${url.protocol}// is not TLS: use mqtts:// or wss://` };
    return { ok: true, options: undefined };
  }
  if (Boolean(s.certFile) !== Boolean(s.keyFile)) return { ok: false, message: 'a client certificate needs both the certificate and the key file' };
  const options: TlsOptions = { rejectUnauthorized: s.rejectUnauthorized };
  const files: Array<[keyof TlsOptions, string | undefined, string]> = [['ca', s.caFile, 'CA'], ['cert', s.certFile, 'certificate'], ['key', s.keyFile, 'key']];
  for (const [field, file, what] of files) {
    if (!file) continue;
    const pem = readPem(file, what);
    if (typeof pem === 'string') return { ok: false, message: pem };
    if (field === 'ca') options.ca = [pem];
    else if (field === 'cert') options.cert = pem;
    else options.key = pem;
  }
  if (s.passphrase) options.passphrase = s.passphrase;
  if (s.servername) options.servername = s.servername;
  return { ok: true, options };
}
