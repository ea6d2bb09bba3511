/**
 * The key that signs session cookies. Every bridge instance behind one load balancer must hold
 * the same one: BANCO_BRIDGE_SESSION_SECRET, or (development only) a random key kept in
 * DATA_DIR/bridge-session-secret, created by the first bridge that starts and read by the others
 * that share the directory. Never logged.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors';
import { SESSION_SECRET_CHARS_MIN } from '../config';

export const SESSION_SECRET_FILE_NAME = 'bridge-session-secret';
const SECRET_BYTES = 32;
const FILE_MODE = 0o600;

export async function loadSessionSecret(configured: string | null, dataDir: string): Promise<string> {
  if (configured !== null) return configured;
  const file = path.join(dataDir, SESSION_SECRET_FILE_NAME);
  await fs.mkdir(dataDir, { recursive: true });
  try {
    // 'wx': exactly one of several bridges starting at once creates it; the others read it.
    await fs.writeFile(file, randomBytes(SECRET_BYTES).toString('base64url'), { flag: 'wx', mode: FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create ${file}: ${(err as Error).message}; check DATA_DIR or set BANCO_BRIDGE_SESSION_SECRET.`);
  }
  const secret = (await fs.readFile(file, 'utf8')).trim();
  if (secret.length < SESSION_SECRET_CHARS_MIN) throw new ConfigError(`${file} holds no valid session secret; delete it and start again.`);
  return secret;
}
