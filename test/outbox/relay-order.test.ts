/**
 * The retained `banco/saldo/{cedula}` never goes backwards (CONTRACT §5): when one
 * acknowledgement is lost while later rounds are in flight, the relay re-sends the unacknowledged
 * row and everything after it, in seq order, so the broker's last word is the newest balance.
 */
import path from 'node:path';
import { systemClock } from '../../core/clock';
import { createLedger } from '../../core/core-service';
import { loadCoreConfig } from '../../core/config';
import { silentLogger } from '../../core/log';
import { MqttPublisher } from '../../core/outbox/mqtt-publisher';
import { OutboxRelay, type RelayPublisher } from '../../core/outbox/relay';
import { openSqliteStore } from '../../core/store/sqlite-store';
import { tempDir } from '../helpers/core';
import { subscriber, TestBroker } from '../helpers/mqtt-broker';

const A = '1350509525';
const DEPOSITS = 12;

/**
 * A real publisher whose broker receives every message, but which withholds the acknowledgement
 * of the first message `withhold` picks: the PUBACK lost on the way back, as a fault.
 */
class WithholdingPublisher implements RelayPublisher {
  private withheld = false;

  constructor(private readonly inner: MqttPublisher, private readonly withhold: (topic: string, payload: Record<string, unknown>) => boolean) {}

  get connected(): boolean {
    return this.inner.connected;
  }

  publish(topic: string, payload: string, options: { qos: 0 | 1 | 2; retain: boolean }): Promise<void> {
    const sent = this.inner.publish(topic, payload, options);
    if (this.withheld || !this.withhold(topic, JSON.parse(payload) as Record<string, unknown>)) return sent;
    this.withheld = true;
    return new Promise<void>(() => undefined); // never acknowledged: the relay's timeout decides
  }

  waitConnected(timeoutMs: number): Promise<void> {
    return this.inner.waitConnected(timeoutMs);
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('outbox relay ordering', () => {
  it('keeps the newest retained balance when the acknowledgement of an older one is lost while later rounds are acknowledged', async () => {
    const broker = await TestBroker.start();
    const store = openSqliteStore(path.join(tempDir(), 'banco.db'));
    const ledger = createLedger(store, loadCoreConfig({ DATA_DIR: '/tmp/unused' }), systemClock);
    await ledger.crear({ cedula: A, nombres: 'Stefano', apellidos: 'Aguilar' });
    for (let i = 0; i < DEPOSITS; i++) await ledger.depositar({ cedula: A, monto: '1' }); // one batch each: 3 rows
    const live = await subscriber(broker.url, `banco/saldo/${A}`);
    const inner = new MqttPublisher({ instanceId: 'order-test', url: broker.url, username: null, password: null, topicPrefix: 'banco', connectTimeoutMs: 2000, reconnectMs: 200 }, silentLogger);
    await inner.connect();
    // The second deposit's balance (version 3) loses its PUBACK; rounds of one deposit each.
    const publisher = new WithholdingPublisher(inner, (topic, p) => topic.endsWith(`/saldo/${A}`) && p.version === 3);
    const relay = new OutboxRelay(store, publisher, { owner: 'order-test', topicPrefix: 'banco', batchMax: 3, leaseMs: 30_000, pollMs: 20, publishTimeoutMs: 300, retentionMs: 60_000 }, systemClock, silentLogger);
    try {
      relay.start();
      await until(async () => (await store.countOutboxPending()) === 0);
      const newest = DEPOSITS + 1;
      await new Promise((r) => setTimeout(r, 200)); // the last acknowledged publishes reach the subscriber
      // What a consumer joining now is told: the newest balance, not the re-sent older one.
      const late = await subscriber(broker.url, `banco/saldo/${A}`);
      const [retained] = await late.waitFor(1);
      await late.client.endAsync();
      expect(retained).toMatchObject({ retain: true, payload: { version: newest, saldo_nuevo: DEPOSITS } });
      expect(live.messages.at(-1)?.payload.version).toBe(newest);
      // Every version reached the live subscriber, and deduplicated by id they arrive in order.
      const firstSeen = [...new Map(live.messages.map((m) => [m.payload.id, m.payload.version as number])).values()];
      expect(firstSeen).toEqual(Array.from({ length: DEPOSITS }, (_, i) => i + 2));
    } finally {
      await relay.stop();
      await inner.close();
      await live.client.endAsync();
      await store.close();
      await broker.stop();
    }
  });
});
