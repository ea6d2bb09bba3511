/**
 * IoT Hub shared access signature for a device (IoT Hub docs, "Control access to IoT Hub with
 * SAS": Security tokens). The signature is HMAC-SHA256, keyed with the base64-decoded device key,
 * over `{url-encoded resource uri}\n{expiry}`; the token is
 * `SharedAccessSignature sr={url-encoded uri}&sig={url-encoded base64 signature}&se={expiry}`.
 */
import { createHmac } from 'node:crypto';

export interface SasInput {
  /** `{hub host}/devices/{deviceId}`, not yet URL-encoded. */
  resourceUri: string;
  /** The device's SharedAccessKey, base64 as it appears in the connection string. */
  keyBase64: string;
  /** Expiry, seconds since the Unix epoch. */
  expiry_s: number;
}

export function deviceResourceUri(hostName: string, deviceId: string): string {
  return `${hostName}/devices/${deviceId}`;
}

/** The base64 HMAC-SHA256 signature (not URL-encoded). */
export function sasSignature(input: SasInput): string {
  const toSign = `${encodeURIComponent(input.resourceUri)}\n${input.expiry_s}`;
  return createHmac('sha256', Buffer.from(input.keyBase64, 'base64')).update(toSign, 'utf8').digest('base64');
}

export function sasToken(input: SasInput): string {
  const sr = encodeURIComponent(input.resourceUri);
  const sig = encodeURIComponent(sasSignature(input));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${input.expiry_s}`;
}

export interface ParsedSas {
  sr: string;
  sig: string;
  se: number;
  skn: string | undefined;
}

/** Reads a token back into its fields (decoded); undefined when it is not a SAS token. */
export function parseSasToken(token: string): ParsedSas | undefined {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return undefined;
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return undefined;
    }
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = Number(fields.get('se'));
  if (!sr || !sig || !Number.isSafeInteger(se)) return undefined;
  return { sr, sig, se, skn: fields.get('skn') };
}
