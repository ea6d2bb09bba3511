/**
 * The development service identity. Anonymous MQTT clients may only read (principal.ts), so the
 * hub's own publishers — the core's relay and the default flows — need a real `service` login
 * also when no users file exists (development). It is a random password kept in one file under
 * DATA_DIR, readable by its owner only, created by whichever component starts first (broker,
 * core or Node-RED, in one process or several) and read by the others. The broker accepts it
 * only while it has no users file; production never uses it. docs/security.md explains why.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

export const DEV_SERVICE_FILE_NAME = 'mqtt-dev-service.json';
export const DEV_SERVICE_USERNAME = 'banco-dev-service';
/** Random bytes of the password (base64url-encoded in the file). */
const DEV_SERVICE_PASSWORD_BYTES = 32;
/** The file holds a password in clear: owner read/write only. */
const FILE_MODE = 0o600;

export interface DevServiceCredential {
  username: string;
  password: string;
}

export function devServiceFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), DEV_SERVICE_FILE_NAME);
}

function parseCredential(text: string, file: string): DevServiceCredential {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  const { username, password } = (data ?? {}) as Record<string, unknown>;
  if (username !== DEV_SERVICE_USERNAME || typeof password !== 'string' || password.length < 32) throw new ConfigError(`${file} is not a valid development service credential; delete it and start again.`);
  return { username, password };
}

/**
 * Creates the file atomically if missing (write a private temp file, then link it into place:
 * link fails if another process won the race, and then its file is read instead).
 */
async function createOnce(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const credential: DevServiceCredential = { username: DEV_SERVICE_USERNAME, password: randomBytes(DEV_SERVICE_PASSWORD_BYTES).toString('base64url') };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(credential) + '\n', { mode: FILE_MODE, flag: 'wx' });
  try {
    await fs.link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.unlink(tmp);
  }
}

/** Reads the development service credential from `file`, creating it on first use. */
export async function loadDevServiceCredential(file: string): Promise<DevServiceCredential> {
  try {
    return parseCredential(await fs.readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await createOnce(file);
    return parseCredential(await fs.readFile(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot create ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check that DATA_DIR is writable.`);
  }
}
