/**
 * PINs are kept only as slow salted hashes (scrypt, CONTRACT §4); verification is constant-time.
 * scrypt runs on libuv's thread pool, which file I/O (SQLite opens, the audit log, Node-RED's
 * files) shares, so every hash in the process — core PIN checks, broker logins, new accounts —
 * takes one of `pin_hash_concurrency_max` slots; past `pin_hash_waiting_max` waiting, LIMITE_EXCEDIDO.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HubError } from '../errors';
import { LIMITS } from '../limits';
import { Slots } from '../slots';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

/** ~16 MiB and tens of ms per hash: slow for guessing, fine for logins. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export const PIN_PATTERN = /^[0-9]{4,12}$/;

/** The scrypt work itself; only reachable while holding a slot (`withPinHashing`). */
export interface PinHashing {
  hash(pin: string): Promise<string>;
  verify(pin: string, stored: string): Promise<boolean>;
}

const unbounded: PinHashing = {
  async hash(pin) {
    const salt = randomBytes(SALT_BYTES);
    const key = await scrypt(pin, salt, KEY_BYTES, PARAMS);
    return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
  },
  async verify(pin, stored) {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4], 'base64');
    const expected = Buffer.from(parts[5], 'base64');
    const key = await scrypt(pin, salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
    return timingSafeEqual(key, expected);
  },
};

/** One bound for the whole process: the thread pool it protects is process-wide too. */
export const pinHashSlots = new Slots(LIMITS.pin_hash_concurrency_max, LIMITS.pin_hash_waiting_max, () => new HubError('LIMITE_EXCEDIDO', 'Demasiadas verificaciones de PIN en curso, intente de nuevo'));

/**
 * Runs `work` holding one hashing slot, so whatever it does around the hash (e.g. reserving a PIN
 * attempt) happens only once the hash is sure to run. Throws HubError LIMITE_EXCEDIDO when full.
 */
export function withPinHashing<T>(work: (hashing: PinHashing) => Promise<T>): Promise<T> {
  return pinHashSlots.run(() => work(unbounded));
}

export function hashPin(pin: string): Promise<string> {
  return withPinHashing((h) => h.hash(pin));
}

export function verifyPin(pin: string, stored: string): Promise<boolean> {
  return withPinHashing((h) => h.verify(pin, stored));
}
