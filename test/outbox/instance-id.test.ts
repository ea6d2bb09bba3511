/** The instance id: stable across restarts of one instance, distinct between instances, bounded. */
import { loadEventBusConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { deriveInstanceId, INSTANCE_ID_CHARS_MAX } from '../../core/outbox/instance-id';

const base = { CORE_PORT: '5000', DATA_DIR: '/var/lib/banco', DATABASE_URL: 'mysql://banco:secreto@db.internal:3306/banco' };

describe('instance id', () => {
  it('is the same for every start of one instance and differs with the port, the data dir or the database', () => {
    const id = loadEventBusConfig(base).instanceId;
    expect(loadEventBusConfig({ ...base }).instanceId).toBe(id);
    expect(loadEventBusConfig({ ...base, CORE_PORT: '5002' }).instanceId).not.toBe(id);
    expect(loadEventBusConfig({ ...base, DATA_DIR: '/var/lib/banco2' }).instanceId).not.toBe(id);
    expect(loadEventBusConfig({ ...base, DATABASE_URL: 'mysql://banco:secreto@db.internal:3306/otra' }).instanceId).not.toBe(id);
    // The password is not part of the identity (nor of the id): rotating it keeps the instance.
    expect(loadEventBusConfig({ ...base, DATABASE_URL: 'mysql://banco:otro@db.internal:3306/banco' }).instanceId).toBe(id);
    expect(id).not.toContain('secreto');
  });

  it('stays within 64 characters for a 60-character (or longer) hostname', () => {
    for (const hostname of ['a'.repeat(60), 'gke-banco-prod-pool-1-5f8c9d2e-abcd.europe-west1-b.c.project-1234.internal']) {
      const id = deriveInstanceId({ hostname, corePort: '5000', dataDir: '/data', database: '/data/banco.db' });
      expect(id.length).toBeLessThanOrEqual(INSTANCE_ID_CHARS_MAX);
      expect(id).toMatch(/^[A-Za-z0-9-]+-[0-9a-f]{16}$/);
    }
  });

  it('takes BANCO_INSTANCE_ID as given, and refuses one that is too long or has other characters', () => {
    expect(loadEventBusConfig({ ...base, BANCO_INSTANCE_ID: 'core-a.1' }).instanceId).toBe('core-a.1');
    expect(() => loadEventBusConfig({ ...base, BANCO_INSTANCE_ID: 'x'.repeat(65) })).toThrow(ConfigError);
    expect(() => loadEventBusConfig({ ...base, BANCO_INSTANCE_ID: 'core a' })).toThrow(/BANCO_INSTANCE_ID/);
  });

  it('refuses a heartbeat longer than half the leader lease', () => {
    expect(loadEventBusConfig({ ...base, BANCO_RELAY_LEADER_LEASE_MS: '3000', BANCO_RELAY_HEARTBEAT_MS: '1500' })).toMatchObject({ relayLeaderLeaseMs: 3000, relayHeartbeatMs: 1500 });
    expect(() => loadEventBusConfig({ ...base, BANCO_RELAY_LEADER_LEASE_MS: '3000', BANCO_RELAY_HEARTBEAT_MS: '1501' })).toThrow(/at most half/);
  });
});
