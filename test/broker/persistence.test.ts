import path from 'node:path';
import { brokerOptions, connect, connectCollecting, collect, endAll, publish, serviceLogin, sleep, startBroker, subscribeGranted, tempDir, waitFor, SETTLE_MS } from './helpers';

describe('embedded broker persistence (BANCO_MQTT_PERSISTENCE=on)', () => {
  const tmp = tempDir('banco-mqtt-store-');
  afterAll(() => tmp.remove());

  it('delivers a QoS 1 message queued for an offline persistent session after a broker restart', async () => {
    const persistenceDir = path.join(tmp.dir, 'mqtt');
    const first = await startBroker({ allowAnonymous: true, persistenceDir });
    const session = { clientId: 'auditoria-1', clean: false };
    const subscriber = await connect(`mqtt://127.0.0.1:${first.tcpPort}`, session);
    await subscribeGranted(subscriber, ['banco/depositos']);
    await subscriber.endAsync();
    const publisher = await connect(`mqtt://127.0.0.1:${first.tcpPort}`, await serviceLogin());
    await publish(publisher, 'banco/depositos', '{"id":"ev-1"}', { qos: 1 });
    await publish(publisher, 'banco/saldo/123', '{"saldo_nuevo":5}', { qos: 1, retain: true });
    await endAll([publisher]);
    await first.stop();

    const second = await startBroker({ allowAnonymous: true, persistenceDir });
    try {
      const { client: back, seen } = await connectCollecting(`mqtt://127.0.0.1:${second.tcpPort}`, session);
      await waitFor(() => seen.length === 1);
      expect(seen[0]).toMatchObject({ topic: 'banco/depositos', payload: '{"id":"ev-1"}' });
      const reader = await connect(`mqtt://127.0.0.1:${second.tcpPort}`);
      const retained = collect(reader);
      await subscribeGranted(reader, ['banco/saldo/+']);
      await waitFor(() => retained.length === 1);
      expect(retained[0]).toMatchObject({ topic: 'banco/saldo/123', retain: true });
      await endAll([back, reader]);
    } finally {
      await second.stop();
    }
  });

  it('forgets queued messages when the broker runs without persistence', async () => {
    const first = await startBroker({ allowAnonymous: true });
    const session = { clientId: 'auditoria-2', clean: false };
    const subscriber = await connect(`mqtt://127.0.0.1:${first.tcpPort}`, session);
    await subscribeGranted(subscriber, ['banco/depositos']);
    await subscriber.endAsync();
    const publisher = await connect(`mqtt://127.0.0.1:${first.tcpPort}`, await serviceLogin());
    await publish(publisher, 'banco/depositos', 'perdido');
    await endAll([publisher]);
    await first.stop();
    const second = await startBroker({ allowAnonymous: true });
    const { client: back, seen } = await connectCollecting(`mqtt://127.0.0.1:${second.tcpPort}`, session);
    await sleep(SETTLE_MS);
    expect(seen).toEqual([]);
    await endAll([back]);
    await second.stop();
  });

  it('keeps at most the session queue bound of messages for an offline session', async () => {
    const { BROKER_LIMITS } = await import('../../core/broker/limits');
    const broker = await startBroker({ allowAnonymous: true, limits: { ...BROKER_LIMITS, session_queued_messages_max: 3 } });
    try {
      const session = { clientId: 'auditoria-3', clean: false };
      const subscriber = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, session);
      await subscribeGranted(subscriber, ['banco/retiros']);
      await subscriber.endAsync();
      const publisher = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, await serviceLogin());
      for (let i = 1; i <= 5; i++) await publish(publisher, 'banco/retiros', `r${i}`);
      const { client: back, seen } = await connectCollecting(`mqtt://127.0.0.1:${broker.tcpPort}`, session);
      await sleep(SETTLE_MS);
      expect(seen.map((m) => m.payload)).toEqual(['r1', 'r2', 'r3']);
      await publish(publisher, 'banco/retiros', 'r6'); // acknowledged ones free their places
      await waitFor(() => seen.length === 4);
      await endAll([publisher, back]);
    } finally {
      await broker.stop();
    }
  });

  it('logs the messages it drops for a full session queue once, not once per message', async () => {
    const { BROKER_LIMITS } = await import('../../core/broker/limits');
    const { startEmbeddedBroker } = await import('../../core/broker/embedded-broker');
    const { createLogger } = await import('../../core/log');
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line)) });
    const broker = await startEmbeddedBroker(brokerOptions({ allowAnonymous: true, limits: { ...BROKER_LIMITS, session_queued_messages_max: 3 } }), log);
    try {
      const session = { clientId: 'auditoria-log', clean: false };
      const subscriber = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, session);
      await subscribeGranted(subscriber, ['banco/retiros']);
      await subscriber.endAsync();
      const publisher = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, await serviceLogin());
      for (let i = 1; i <= 50; i++) await publish(publisher, 'banco/retiros', `r${i}`);
      await endAll([publisher]);
      expect(lines.filter((l) => l.event === 'mqtt_session_queue_full')).toEqual([expect.objectContaining({ client: 'auditoria-log', max: 3, dropped: 1 })]);
    } finally {
      await broker.stop();
    }
  });

  it('explains in one line when the store is locked by another broker', async () => {
    const persistenceDir = path.join(tmp.dir, 'locked');
    const first = await startBroker({ persistenceDir });
    try {
      await expect(startBroker({ persistenceDir })).rejects.toThrow(/MQTT persistence: cannot open .*locked/);
    } finally {
      await first.stop();
    }
  });
});
