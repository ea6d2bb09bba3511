/**
 * Optional on-disk session store (BANCO_MQTT_PERSISTENCE=on): subscriptions of persistent
 * sessions, their queued QoS 1/2 messages, retained messages and wills live in a LevelDB under
 * DATA_DIR/mqtt, via aedes-persistence-level (the store the aedes 1.x package names as a peer).
 */
import { mkdirSync } from 'node:fs';
import { Level } from 'level';
import { ConfigError } from '../errors';

/** The part of the aedes persistence interface this module relies on. */
export interface AedesPersistence {
  setup(broker: unknown): Promise<void>;
  destroy(): Promise<void>;
  outgoingEnqueueCombi(subs: ReadonlyArray<{ clientId: string }>, packet: unknown): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
  cleanSubscriptions(client: { id: string }): Promise<unknown>;
}

type LevelPersistenceFactory = (db: Level<string, Buffer>) => AedesPersistence;
// CommonJS package without type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const levelPersistence = require('aedes-persistence-level') as LevelPersistenceFactory;

export interface OpenedPersistence {
  persistence: AedesPersistence;
  /** Closes the store; call after the broker has closed. */
  close(): Promise<void>;
}

export async function openLevelPersistence(dir: string): Promise<OpenedPersistence> {
  const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
  try {
    mkdirSync(dir, { recursive: true });
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new ConfigError(`MQTT persistence: cannot open ${dir} (${cause}); is another broker using it? Set DATA_DIR or BANCO_MQTT_PERSISTENCE=off.`);
  }
  const persistence = levelPersistence(db);
  return {
    persistence,
    close: async () => {
      if (db.status === 'open') await db.close();
    },
  };
}
