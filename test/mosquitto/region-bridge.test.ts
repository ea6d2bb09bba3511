/**
 * A second region (mosquitto/config/bridge-region-b.conf, docs/deployment.md): two real Mosquitto
 * processes with the production config, region A bridging `banco/#` out to region B over TLS.
 * A movement committed by a core in region A arrives in region B with the same event id (retained
 * balances retained); nothing published in B comes back to A, and nothing loops.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { startTestCore } from '../helpers/core';
import { describeWith } from '../helpers/services';
import { makeTestCerts } from '../broker/certs';
import { connect, connectCollecting, endAll, publish, sleep, subscribeGranted, tempDir, waitFor, type Message } from '../broker/helpers';
import { CONFIG_DIR, startMosquitto, type RunningMosquitto } from './run-mosquitto';

const USERS: Array<[string, string]> = [
  ['banco-relay', 'relay-pass-1'],
  ['banco-monitor', 'monitor-pass-1'],
  ['banco-bridge', 'bridge-pass-1'],
];

/** The production config's layout under `dir`: config/{acl,passwd,certs/}, data/. */
function prepareRegion(dir: string): { certsDir: string } {
  const configDir = path.join(dir, 'config');
  const certsDir = path.join(configDir, 'certs');
  mkdirSync(certsDir, { recursive: true });
  mkdirSync(path.join(dir, 'data'));
  makeTestCerts(certsDir);
  copyFileSync(path.join(CONFIG_DIR, 'acl'), path.join(configDir, 'acl'));
  const passwd = path.join(configDir, 'passwd');
  USERS.forEach(([user, pass], i) => execFileSync('mosquitto_passwd', i === 0 ? ['-b', '-c', passwd, user, pass] : ['-b', passwd, user, pass]));
  return { certsDir };
}

describeWith('mosquitto', 'a second region over a Mosquitto bridge (bridge-region-b.conf)', () => {
  const dirA = tempDir('banco-region-a-');
  const dirB = tempDir('banco-region-b-');
  let regionA: RunningMosquitto;
  let regionB: RunningMosquitto;
  let urlA: string;
  let urlB: string;
  const clients: MqttClient[] = [];
  const monitor = async (url: string): Promise<Message[]> => {
    const { client, seen } = await connectCollecting(url, { username: 'banco-monitor', password: 'monitor-pass-1' });
    clients.push(client);
    expect(await subscribeGranted(client, ['banco/#'])).toEqual([1]);
    return seen;
  };

  beforeAll(async () => {
    const b = prepareRegion(dirB.dir);
    prepareRegion(dirA.dir);
    regionB = await startMosquitto('mosquitto.prod.conf', dirB.dir);
    // Region A trusts region B's CA for the bridge (bridge_cafile).
    mkdirSync(path.join(dirA.dir, 'config', 'certs', 'region-b'));
    copyFileSync(path.join(b.certsDir, 'ca.crt'), path.join(dirA.dir, 'config', 'certs', 'region-b', 'ca.crt'));
    regionA = await startMosquitto('mosquitto.prod.conf', dirA.dir, undefined, {
      append: ['bridge-region-b.conf'],
      replace: [
        ['region-b.example.com:8883', `127.0.0.1:${regionB.port(8883)}`],
        ['CHANGE-ME-bridge-password', 'bridge-pass-1'],
      ],
    });
    urlA = `mqtt://127.0.0.1:${regionA.port(1883)}`;
    urlB = `mqtt://127.0.0.1:${regionB.port(1883)}`;
    // The bridge is up once a probe published in A reaches B.
    const seenB = await monitor(urlB);
    const relayA = await connect(urlA, { username: 'banco-relay', password: 'relay-pass-1' });
    clients.push(relayA);
    for (let i = 0; !seenB.some((m) => m.topic === 'banco/sonda'); i++) {
      if (i > 100) throw new Error(`the bridge did not come up:\n${regionA.output()}`);
      await publish(relayA, 'banco/sonda', `{"n":${i}}`);
      await sleep(100);
    }
  }, 30_000);

  afterAll(async () => {
    await endAll(clients);
    await regionA?.stop();
    await regionB?.stop();
    dirA.remove();
    dirB.remove();
  });

  it('carries a deposit committed in region A to region B over TLS, every event once and with the same id', async () => {
    const seenA = await monitor(urlA);
    const seenB = await monitor(urlB);
    const core = await startTestCore({ BANCO_RELAY: 'on', MQTT_URL: urlA, BANCO_MQTT_USERNAME: 'banco-relay', BANCO_MQTT_PASSWORD: 'relay-pass-1', BANCO_STATS_INTERVAL_MS: '0' });
    try {
      const r = await core.ledger.depositar({ cedula: '1350509525', monto: '150.00' });
      expect(r.ok).toBe(true);
      const ofDeposit = (seen: Message[]): Message[] => seen.filter((m) => /^banco\/(transacciones|depositos|saldo\/1350509525)$/.test(m.topic));
      await waitFor(() => ofDeposit(seenB).length >= 3, 10_000);
      await sleep(500); // any duplicate or echo would arrive by now
      expect(ofDeposit(seenA).map((m) => m.topic).sort()).toEqual(['banco/depositos', 'banco/saldo/1350509525', 'banco/transacciones']);
      expect(ofDeposit(seenB).map((m) => m.topic).sort()).toEqual(['banco/depositos', 'banco/saldo/1350509525', 'banco/transacciones']);
      const ids = (seen: Message[]): string[] => ofDeposit(seen).map((m) => JSON.parse(m.payload).id as string).sort();
      expect(ids(seenB)).toEqual(ids(seenA));
      expect(JSON.parse(ofDeposit(seenB).find((m) => m.topic === 'banco/transacciones')!.payload)).toMatchObject({ cedula: '1350509525', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 5150 });
    } finally {
      await core.stop();
    }
  });

  it('keeps the balance retained in region B, for a subscriber that comes later', async () => {
    const { client, seen } = await connectCollecting(urlB, { username: 'banco-monitor', password: 'monitor-pass-1' });
    clients.push(client);
    await subscribeGranted(client, ['banco/saldo/1350509525']);
    await waitFor(() => seen.length === 1, 5000);
    expect(seen[0]).toMatchObject({ topic: 'banco/saldo/1350509525', retain: true });
    expect(JSON.parse(seen[0].payload)).toMatchObject({ saldo_nuevo: 5150 });
  });

  it('replicates one way only: an event published in region B stays in B and never comes back to A', async () => {
    const seenA = await monitor(urlA);
    const seenB = await monitor(urlB);
    const relayB = await connect(urlB, { username: 'banco-relay', password: 'relay-pass-1' });
    clients.push(relayB);
    await publish(relayB, 'banco/alertas', '{"id":"solo-en-b","type":"PRUEBA"}');
    await waitFor(() => seenB.some((m) => m.payload.includes('solo-en-b')));
    await sleep(1000);
    expect(seenA.filter((m) => m.payload.includes('solo-en-b'))).toEqual([]);
    expect(seenB.filter((m) => m.payload.includes('solo-en-b'))).toHaveLength(1);
  });
});
