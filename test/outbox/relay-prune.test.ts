/** Sent outbox rows are pruned in as many passes as it takes, not one pass per period. */
import path from 'node:path';
import { createLedger } from '../../core/core-service';
import { loadCoreConfig } from '../../core/config';
import { systemClock } from '../../core/clock';
import { silentLogger } from '../../core/log';
import { MqttPublisher } from '../../core/outbox/mqtt-publisher';
import { OutboxRelay } from '../../core/outbox/relay';
import { openSqliteStore } from '../../core/store/sqlite-store';
import { tempDir } from '../helpers/core';
import { TestBroker } from '../helpers/mqtt-broker';

it('deletes every sent row past the retention within one pruning run', async () => {
  const broker = await TestBroker.start();
  const store = openSqliteStore(path.join(tempDir(), 'banco.db'));
  const ledger = createLedger(store, loadCoreConfig({ DATA_DIR: '/tmp/unused' }), systemClock);
  await ledger.crear({ cedula: '1350509525', nombres: 'A', apellidos: 'B' });
  await Promise.all(Array.from({ length: 400 }, () => ledger.depositar({ cedula: '1350509525', monto: '1' })));
  const publisher = new MqttPublisher({ instanceId: 'prune-test', url: broker.url, username: null, password: null, topicPrefix: 'banco', connectTimeoutMs: 2000, reconnectMs: 200 }, silentLogger);
  await publisher.connect();
  const relay = new OutboxRelay(store, publisher, { owner: 'prune-test', topicPrefix: 'banco', batchMax: 100, leaseMs: 30_000, pollMs: 20, publishTimeoutMs: 5000, retentionMs: 0, pruneEveryMs: 50 }, systemClock, silentLogger);
  try {
    relay.start();
    const deadline = Date.now() + 10_000;
    while (relay.sentCount < 1200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(relay.sentCount).toBe(1200);
    // 1,200 sent rows, 100 per pass: one pruning run (every 50 ms here) must remove them all.
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.pruneOutbox(Date.now(), 10_000)).toBe(0);
    expect(await store.countOutboxPending()).toBe(0);
  } finally {
    await relay.stop();
    await publisher.close();
    await store.close();
    await broker.stop();
  }
});
