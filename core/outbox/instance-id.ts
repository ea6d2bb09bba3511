/**
 * The core instance's name in the database: the owner of its outbox claims and the holder of the
 * relay leader lease. Stable across restarts of the same instance (so a restarted core takes back
 * what it held at once) and bounded (it is stored in VARCHAR(64) columns: a cloud VM's long
 * hostname used to overflow them, and then nothing was ever published).
 */
import { createHash } from 'node:crypto';

/** Longest instance id: `outbox.reclamado_por` and `relay_lider.instancia` are VARCHAR(64). */
export const INSTANCE_ID_CHARS_MAX = 64;
/** Characters of the hostname kept as a readable prefix of a derived id. */
const HOSTNAME_PREFIX_CHARS_MAX = 24;
/** Hex characters of the hash that makes a derived id unique (64 bits). */
const HASH_HEX_CHARS = 16;

/** What an explicit BANCO_INSTANCE_ID may contain: also safe inside an MQTT client id. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface InstanceIdentity {
  hostname: string;
  /** The configured core port (as written; 0 means "any", which is not stable, but still bounded). */
  corePort: string;
  /** Absolute DATA_DIR. */
  dataDir: string;
  /** Where the ledger lives, without credentials (SQLite file or MySQL host:port/db). */
  database: string;
}

/**
 * `<hostname prefix>-<16 hex of sha256(hostname, port, data dir, database)>`: the same for every
 * start of one instance, different for two instances on one host, at most 41 characters.
 */
export function deriveInstanceId(identity: InstanceIdentity): string {
  const hash = createHash('sha256').update(JSON.stringify([identity.hostname, identity.corePort, identity.dataDir, identity.database])).digest('hex');
  const readable = identity.hostname.replace(/[^A-Za-z0-9-]/g, '-').slice(0, HOSTNAME_PREFIX_CHARS_MAX).replace(/-+$/, '');
  return `${readable === '' ? 'core' : readable}-${hash.slice(0, HASH_HEX_CHARS)}`;
}
