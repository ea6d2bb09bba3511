import { describeWith } from '../helpers/services';
import { collect, connect, endAll, publish, subscribeGranted, tempDir, waitFor } from '../broker/helpers';
import { startMosquitto, type RunningMosquitto } from './run-mosquitto';

describeWith('mosquitto', 'mosquitto/config/mosquitto.conf (development)', () => {
  const tmp = tempDir('banco-mosq-dev-');
  let broker: RunningMosquitto;
  beforeAll(async () => {
    broker = await startMosquitto('mosquitto.conf', tmp.dir);
  });
  afterAll(async () => {
    await broker.stop();
    tmp.remove();
  });

  it('lets anonymous clients publish and subscribe over TCP on the 1883 listener', async () => {
    const url = `mqtt://127.0.0.1:${broker.port(1883)}`;
    const sub = await connect(url);
    const seen = collect(sub);
    expect(await subscribeGranted(sub, ['banco/#'])).toEqual([1]);
    const pub = await connect(url);
    await publish(pub, 'banco/depositos', '{"monto":150}');
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ topic: 'banco/depositos', payload: '{"monto":150}' });
    await endAll([sub, pub]);
  });

  it('serves MQTT over WebSocket on the 9001 listener, sharing messages with TCP clients', async () => {
    const ws = await connect(`ws://127.0.0.1:${broker.port(9001)}`);
    const seen = collect(ws);
    expect(await subscribeGranted(ws, ['banco/saldo/+'])).toEqual([1]);
    const tcp = await connect(`mqtt://127.0.0.1:${broker.port(1883)}`);
    await publish(tcp, 'banco/saldo/123', '{"saldo_nuevo":1150}', { qos: 1, retain: true });
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ topic: 'banco/saldo/123', payload: '{"saldo_nuevo":1150}' });
    await endAll([ws, tcp]);
  });
});
