/**
 * Broker logins hash passwords with scrypt and share the process-wide hashing bound with the
 * core's PIN checks (core/ledger/pin.ts): while it is full a login is "server unavailable"
 * (CONNACK 3, MQTT 3.1.1 §3.2.2.3), never "bad user name or password".
 */
import path from 'node:path';
import type { EmbeddedBroker } from '../../core/broker/embedded-broker';
import { withPinHashing } from '../../core/ledger/pin';
import { LIMITS } from '../../core/limits';
import { connect, endAll, startBroker, tempDir, writeUsers } from './helpers';

const SERVER_UNAVAILABLE = 3;

describe('broker logins under the process-wide PIN hashing bound', () => {
  const tmp = tempDir('banco-login-bound-');
  let broker: EmbeddedBroker;
  let url: string;

  beforeAll(async () => {
    const usersFile = path.join(tmp.dir, 'users.json');
    await writeUsers(usersFile, [{ username: 'relay', password: 'relay-secret-1', role: 'service' }]);
    broker = await startBroker({ usersFile, allowAnonymous: false });
    url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  });

  afterAll(async () => {
    await broker.stop();
    tmp.remove();
  });

  it('answers CONNACK 3 while every hashing slot and wait place is taken, and logs in once they are free', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: LIMITS.pin_hash_concurrency_max + LIMITS.pin_hash_waiting_max }, () => withPinHashing(() => gate));
    try {
      await expect(connect(url, { username: 'relay', password: 'relay-secret-1' })).rejects.toMatchObject({ code: SERVER_UNAVAILABLE });
      await expect(connect(url, { username: 'nobody', password: 'whatever-1' })).rejects.toMatchObject({ code: SERVER_UNAVAILABLE });
    } finally {
      release();
      await Promise.all(holders);
    }
    const client = await connect(url, { username: 'relay', password: 'relay-secret-1' });
    await endAll([client]);
  });
});
