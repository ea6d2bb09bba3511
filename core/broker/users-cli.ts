/**
 * `banco broker-user add <username> --role service|reader|customer [--cedula <digits>]
 *  [--file <users.json>] [--password-stdin | --password <password>]`
 * Adds a user to the broker's users file, or replaces the password/role of an existing one.
 * The password is stored only as an scrypt hash (core/ledger/pin.ts format).
 */
import { parseArgs } from 'node:util';
import type { Env } from '../config';
import { ConfigError } from '../errors';
import { hashPin } from '../ledger/pin';
import { isRole } from './principal';
import { CEDULA_IN_TOPIC, parseUsers, readUsersFile, writeUsersFile, type UserRecord } from './users-file';

export const PASSWORD_CHARS_MIN = 8;
export const PASSWORD_CHARS_MAX = 256;
const STDIN_BYTES_MAX = 4096;

export const USER_ADD_USAGE =
  'usage: banco broker-user add <username> --role service|reader|customer [--cedula <digits>] [--file <users.json>] [--password-stdin | --password <password>]\n' +
  '       the file defaults to BANCO_MQTT_USERS_FILE; customers need --cedula (Mosquitto: username = cédula).\n';

async function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > STDIN_BYTES_MAX) break;
  }
  return text.split(/\r?\n/)[0];
}

interface AddRequest {
  user: Omit<UserRecord, 'passwordHash'>;
  file: string;
  password: string;
}

async function parseRequest(args: string[], env: Env, stdin: NodeJS.ReadableStream): Promise<AddRequest> {
  const { values, positionals } = parseArgs({
    args: args[0] === 'add' ? args.slice(1) : args,
    allowPositionals: true,
    options: { role: { type: 'string' }, cedula: { type: 'string' }, file: { type: 'string' }, password: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new ConfigError('give exactly one username.');
  const username = positionals[0];
  const role = values.role;
  if (!isRole(role)) throw new ConfigError('--role must be service, reader or customer.');
  const cedula = values.cedula;
  if (role === 'customer' && (cedula === undefined || !CEDULA_IN_TOPIC.test(cedula))) throw new ConfigError('a customer needs --cedula <digits>.');
  if (role !== 'customer' && cedula !== undefined) throw new ConfigError('only customers carry --cedula.');
  const file = values.file ?? env.BANCO_MQTT_USERS_FILE;
  if (file === undefined || file === '') throw new ConfigError('give --file or set BANCO_MQTT_USERS_FILE.');
  const password = values['password-stdin'] ? await readFirstLine(stdin) : values.password;
  if (password === undefined) throw new ConfigError('give --password-stdin (recommended) or --password.');
  if (password.length < PASSWORD_CHARS_MIN || password.length > PASSWORD_CHARS_MAX) throw new ConfigError(`the password must have ${PASSWORD_CHARS_MIN}–${PASSWORD_CHARS_MAX} characters.`);
  const user = role === 'customer' ? { username, role, cedula } : { username, role };
  return { user, file, password };
}

export async function runBrokerUserAdd(args: string[], out: NodeJS.WritableStream, env: Env = process.env, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let request: AddRequest;
  try {
    request = await parseRequest(args, env, stdin);
  } catch (err) {
    out.write(`broker-user: ${(err as Error).message}\n${USER_ADD_USAGE}`);
    return 2;
  }
  try {
    const users = await readUsersFile(request.file, true);
    const record = { ...request.user, passwordHash: await hashPin(request.password) } as UserRecord;
    const index = users.findIndex((u) => u.username === record.username);
    if (index >= 0) users[index] = record;
    else users.push(record);
    parseUsers(JSON.stringify(users), request.file); // never write a file the broker would refuse
    await writeUsersFile(request.file, users);
    out.write(`broker-user: ${index >= 0 ? 'updated' : 'added'} ${record.username} (${record.role}) in ${request.file}\n`);
    return 0;
  } catch (err) {
    out.write(`broker-user: ${(err as Error).message}\n`);
    return 1;
  }
}
