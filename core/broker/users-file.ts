/**
 * The broker's users file: a JSON array of
 * `{ "username", "passwordHash": "scrypt$N$r$p$salt$key", "role": "service"|"reader"|"customer", "cedula"? }`.
 * Parsed and validated once, at start-up; a bad file is a ConfigError naming the file and the entry.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { BROKER_LIMITS } from './limits';
import { isRole, type Role } from './principal';

export interface UserRecord {
  username: string;
  passwordHash: string;
  role: Role;
  cedula?: string;
}

const USERNAME = /^[^\s:#+/$\u0000-\u001f]{1,128}$/;
/** Digits only, so a cédula can never carry an MQTT wildcard; up to VARCHAR(15) as the legacy schema. */
export const CEDULA_IN_TOPIC = /^[0-9]{1,15}$/;
const HASH = /^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

function parseUser(entry: unknown, where: string): UserRecord {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${where}: each user must be an object.`);
  const { username, passwordHash, role, cedula } = entry as Record<string, unknown>;
  if (typeof username !== 'string' || !USERNAME.test(username)) throw new ConfigError(`${where}: username must be 1–128 characters without spaces, ':', '#', '+', '/' or '$'.`);
  if (typeof passwordHash !== 'string' || !HASH.test(passwordHash)) throw new ConfigError(`${where} (${username}): passwordHash must be scrypt$N$r$p$salt$key; create it with "banco broker-user add".`);
  if (!isRole(role)) throw new ConfigError(`${where} (${username}): role must be service, reader or customer.`);
  if (role === 'customer' && (typeof cedula !== 'string' || !CEDULA_IN_TOPIC.test(cedula))) throw new ConfigError(`${where} (${username}): a customer needs "cedula" (digits only).`);
  if (role !== 'customer' && cedula !== undefined) throw new ConfigError(`${where} (${username}): only customers carry a cedula.`);
  return role === 'customer' ? { username, passwordHash, role, cedula: cedula as string } : { username, passwordHash, role };
}

export function parseUsers(text: string, source: string): UserRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not valid JSON (expected an array of users).`);
  }
  if (!Array.isArray(data)) throw new ConfigError(`${source} must hold a JSON array of users.`);
  if (data.length > BROKER_LIMITS.users_max) throw new ConfigError(`${source} holds ${data.length} users; at most ${BROKER_LIMITS.users_max}.`);
  const users = data.map((entry, i) => parseUser(entry, `${source} entry ${i + 1}`));
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.username)) throw new ConfigError(`${source}: user ${user.username} appears twice.`);
    seen.add(user.username);
  }
  return users;
}

/** Reads the users file; `missingOk` turns a missing file into an empty list (for the CLI). */
export async function readUsersFile(file: string, missingOk = false): Promise<UserRecord[]> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missingOk) return [];
    throw new ConfigError(`BANCO_MQTT_USERS_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); create users with "banco broker-user add".`);
  }
  if (stat.size > BROKER_LIMITS.users_file_bytes_max) throw new ConfigError(`${file} is larger than ${BROKER_LIMITS.users_file_bytes_max} bytes.`);
  return parseUsers(await fs.readFile(file, 'utf8'), file);
}

/** Replaces the file atomically (write + rename), readable by its owner only: it holds hashes. */
export async function writeUsersFile(file: string, users: readonly UserRecord[]): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
}
