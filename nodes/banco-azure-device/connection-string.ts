/**
 * Parses an IoT Hub *device* connection string
 * (`HostName=…;DeviceId=…;SharedAccessKey=…`, or `…;x509=true` for certificate auth) into typed
 * fields, once. Errors say what to fix and never contain the key (STYLE: no secret in logs).
 */
export interface DeviceIdentity {
  hostName: string;
  deviceId: string;
  /** Base64 device key; absent for X.509 devices. */
  sharedAccessKey: string | undefined;
  /** IoT Edge / gateway host to connect to instead of HostName (the username still names HostName). */
  gatewayHostName: string | undefined;
  x509: boolean;
}

export type ParseResult = { ok: true; identity: DeviceIdentity } | { ok: false; message: string };

const KNOWN = new Set(['HostName', 'DeviceId', 'SharedAccessKey', 'GatewayHostName', 'x509', 'ModuleId', 'SharedAccessKeyName', 'SharedAccessSignature']);
/** IoT Hub device ids: up to 128 characters from this set (IoT Hub docs, "Device identity properties"). */
const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const fail = (message: string): ParseResult => ({ ok: false, message });

function fieldsOf(text: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    // Never echo the part: a key pasted without its name would land in the status and the log.
    if (eq <= 0) return `connection string part ${fields.size + 1} is not Name=value (expected HostName=…;DeviceId=…;SharedAccessKey=…)`;
    const name = part.slice(0, eq).trim();
    // The value may itself end in '=' (base64 padding): split at the first '=' only.
    const value = part.slice(eq + 1).trim();
    if (!KNOWN.has(name)) return `connection string has an unknown field "${name.slice(0, 40)}"`;
    if (fields.has(name)) return `connection string names ${name} twice`;
    fields.set(name, value);
  }
  return fields;
}

export function parseConnectionString(raw: string | undefined): ParseResult {
  const text = (raw ?? '').trim();
  if (text === '') return fail('no device connection string is set');
  const fields = fieldsOf(text);
  if (typeof fields === 'string') return fail(fields);
  if (fields.has('SharedAccessKeyName')) return fail('this is a hub (service) connection string; use the device connection string (HostName=…;DeviceId=…;SharedAccessKey=…)');
  if (fields.has('ModuleId')) return fail('module identities are not supported; use a device connection string');
  if (fields.has('SharedAccessSignature')) return fail('a connection string with a fixed SharedAccessSignature cannot be renewed; use the device key (SharedAccessKey=…)');
  const hostName = fields.get('HostName') ?? '';
  const deviceId = fields.get('DeviceId') ?? '';
  if (!HOST.test(hostName)) return fail(hostName ? 'HostName is not a host name' : 'connection string has no HostName');
  if (!DEVICE_ID.test(deviceId)) return fail(deviceId ? 'DeviceId has characters IoT Hub does not allow or is over 128 characters' : 'connection string has no DeviceId');
  const gateway = fields.get('GatewayHostName');
  if (gateway !== undefined && !HOST.test(gateway)) return fail('GatewayHostName is not a host name');
  const x509 = (fields.get('x509') ?? '').toLowerCase() === 'true';
  const key = fields.get('SharedAccessKey');
  if (x509 && key) return fail('set either SharedAccessKey or x509=true, not both');
  if (!x509) {
    if (!key) return fail('connection string has no SharedAccessKey (or x509=true for a certificate)');
    if (!BASE64.test(key) || Buffer.from(key, 'base64').length === 0) return fail('SharedAccessKey is not base64');
  }
  return { ok: true, identity: { hostName, deviceId, sharedAccessKey: x509 ? undefined : key, gatewayHostName: gateway, x509 } };
}

/** A value left as `${VAR}` (Node-RED keeps the text when the variable is unset) counts as not set. */
export function isUnsetEnvReference(raw: string | undefined): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test((raw ?? '').trim());
}
