import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { createHooks } from '../../core/broker/hooks';
import { createLogin } from '../../core/broker/login';
import type { UserRecord } from '../../core/broker/users-file';
import { hashPin } from '../../core/ledger/pin';
import { silentLogger } from '../../core/log';
import type { EmbeddedBroker } from '../../core/broker/embedded-broker';
import type { Principal } from '../../core/broker/principal';
import { SETTLE_MS, collect, connect, endAll, publish, serviceLogin, sleep, startBroker, subscribeGranted, tempDir, waitFor, writeUsers } from './helpers';

const OWN = '1350509525';
const OTHER = '1712345675';
const REFUSED = 128;

describe('embedded broker access control', () => {
  const tmp = tempDir('banco-acl-');
  let broker: EmbeddedBroker;
  let url: string;
  const clients: MqttClient[] = [];
  const open = async (username?: string, password?: string): Promise<MqttClient> => {
    const client = await connect(url, { username, password });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const usersFile = path.join(tmp.dir, 'users.json');
    await writeUsers(usersFile, [
      { username: 'relay', password: 'relay-secret-1', role: 'service' },
      { username: 'auditor', password: 'auditor-secret', role: 'reader' },
      { username: OWN, password: 'customer-secret', role: 'customer', cedula: OWN },
    ]);
    const pinLogins = async (username: string, password: string): Promise<Principal | null> =>
      username === OTHER && password === '4321' ? { username, role: 'customer', cedula: OTHER } : null;
    broker = await startBroker({ usersFile, allowAnonymous: false, authenticate: pinLogins });
    url = `mqtt://127.0.0.1:${broker.tcpPort}`;
    const service = await open('relay', 'relay-secret-1');
    await publish(service, `banco/saldo/${OWN}`, '{"saldo_nuevo":10}', { qos: 1, retain: true });
    await publish(service, `banco/saldo/${OTHER}`, '{"saldo_nuevo":99}', { qos: 1, retain: true });
  });

  afterAll(async () => {
    await endAll(clients);
    await broker.stop();
    tmp.remove();
  });

  it('refuses a wrong password with CONNACK 4', async () => {
    await expect(connect(url, { username: 'relay', password: 'wrong-password' })).rejects.toMatchObject({ code: 4 });
  });

  it('refuses an unknown user with CONNACK 4', async () => {
    await expect(connect(url, { username: 'nobody', password: 'whatever-1' })).rejects.toMatchObject({ code: 4 });
  });

  it('refuses anonymous clients with CONNACK 5 when anonymous access is off', async () => {
    await expect(connect(url)).rejects.toMatchObject({ code: 5 });
  });

  it('lets a customer read only its own retained saldo', async () => {
    const customer = await open(OWN, 'customer-secret');
    const seen = collect(customer);
    expect(await subscribeGranted(customer, [`banco/saldo/${OWN}`])).toEqual([1]);
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual({ topic: `banco/saldo/${OWN}`, payload: '{"saldo_nuevo":10}', retain: true });
  });

  it("refuses a customer's wildcard and foreign saldo subscriptions and leaks no retained message", async () => {
    const customer = await open(OWN, 'customer-secret');
    const seen = collect(customer);
    expect(await subscribeGranted(customer, ['banco/#', 'banco/saldo/+', `banco/saldo/${OTHER}`, '#', '+/saldo/+'])).toEqual([REFUSED, REFUSED, REFUSED, REFUSED, REFUSED]);
    const service = await open('relay', 'relay-secret-1');
    await publish(service, `banco/saldo/${OTHER}`, '{"saldo_nuevo":98}', { qos: 1, retain: true });
    await publish(service, 'banco/transacciones', '{"tipo":"DEPOSITO"}');
    await sleep(SETTLE_MS);
    expect(seen).toEqual([]);
  });

  it('gives a customer logged in through the injected authenticator only its own saldo', async () => {
    const customer = await open(OTHER, '4321');
    const seen = collect(customer);
    expect(await subscribeGranted(customer, [`banco/saldo/${OTHER}`, `banco/saldo/${OWN}`])).toEqual([1, REFUSED]);
    await waitFor(() => seen.length === 1);
    expect(seen[0].topic).toBe(`banco/saldo/${OTHER}`);
    await expect(connect(url, { username: OTHER, password: '0000' })).rejects.toMatchObject({ code: 4 });
  });

  it("refuses a CONNECT whose last will names a topic the user may not publish", async () => {
    const forged = { topic: `banco/saldo/${OTHER}`, payload: Buffer.from('{"saldo_nuevo":1}'), qos: 1 as const, retain: true };
    await expect(connect(url, { username: OWN, password: 'customer-secret', will: forged })).rejects.toMatchObject({ code: 5 });
    await expect(connect(url, { username: 'auditor', password: 'auditor-secret', will: { ...forged, topic: 'banco/alertas' } })).rejects.toMatchObject({ code: 5 });
    const service = await open('relay', 'relay-secret-1');
    expect(service.connected).toBe(true);
    const withWill = await connect(url, { username: 'relay', password: 'relay-secret-1', will: { ...forged, topic: 'banco/alertas', retain: false } });
    clients.push(withWill);
    expect(withWill.connected).toBe(true);
  });

  it('delivers nothing a customer publishes, not even to its own saldo topic', async () => {
    const service = await open('relay', 'relay-secret-1');
    const seen = collect(service);
    await subscribeGranted(service, ['banco/#']);
    await waitFor(() => seen.length === 2); // the retained replay (both saldo topics) follows the SUBACK
    seen.length = 0;
    const customer = await open(OWN, 'customer-secret');
    customer.publish(`banco/saldo/${OWN}`, '{"saldo_nuevo":1000000}', { qos: 0, retain: true });
    customer.publish('banco/transacciones', 'forged', { qos: 0 });
    await sleep(SETTLE_MS);
    expect(seen).toEqual([]);
    const reader = await open('auditor', 'auditor-secret');
    const replay = collect(reader);
    await subscribeGranted(reader, [`banco/saldo/${OWN}`]);
    await waitFor(() => replay.length === 1);
    expect(replay[0].payload).toBe('{"saldo_nuevo":10}');
  });

  it('lets a reader subscribe to everything under the prefix but publish nothing', async () => {
    const reader = await open('auditor', 'auditor-secret');
    const seen = collect(reader);
    expect(await subscribeGranted(reader, ['banco/#', 'otro/#'])).toEqual([1, REFUSED]);
    await waitFor(() => seen.length >= 2); // both retained saldos
    const service = await open('relay', 'relay-secret-1');
    const serviceSeen = collect(service);
    await subscribeGranted(service, ['banco/alertas']);
    const readerPublishing = await open('auditor', 'auditor-secret');
    readerPublishing.publish('banco/alertas', 'from-reader', { qos: 0 });
    await waitFor(() => readerPublishing.disconnected || !readerPublishing.connected); // aedes closes a client whose publish is refused
    await publish(service, 'banco/alertas', 'from-service');
    await waitFor(() => seen.some((m) => m.payload === 'from-service'));
    await sleep(SETTLE_MS);
    expect(serviceSeen.map((m) => m.payload)).toEqual(['from-service']);
  });

  it('refuses a service subscription outside the prefix (its publishes there: see the next suite)', async () => {
    const service = await open('relay', 'relay-secret-1');
    expect(await subscribeGranted(service, ['banco/transferencias', 'otro/x', 'bancoX/#'])).toEqual([1, REFUSED, REFUSED]);
  });
});

describe('embedded broker in development mode', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startBroker({ allowAnonymous: true });
  });
  afterAll(() => broker.stop());

  it('lets anonymous clients subscribe under the prefix but never publish; the development service login publishes', async () => {
    const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
    const sub = await connect(url);
    const seen = collect(sub);
    expect(await subscribeGranted(sub, ['banco/#'])).toEqual([1]);
    const anonymous = await connect(url);
    anonymous.publish('banco/depositos', 'forged', { qos: 0 });
    const pub = await connect(url, await serviceLogin());
    await publish(pub, 'banco/depositos', 'hola');
    await waitFor(() => seen.length === 1);
    await sleep(SETTLE_MS);
    expect(seen.map((m) => m.payload)).toEqual(['hola']);
    await endAll([sub, anonymous, pub]);
  });

  it('still refuses a username with a wrong password', async () => {
    await expect(connect(`mqtt://127.0.0.1:${broker.tcpPort}`, { username: 'ghost', password: 'nope-nope' })).rejects.toMatchObject({ code: 4 });
  });
});

/**
 * No client role may subscribe outside the prefix, so no client can watch a service's publish
 * there: this suite runs the broker's real hooks (login + ACL) on a bare aedes and watches from
 * inside the broker, with a subscription to '#' that sees every publish aedes accepts.
 */
describe('broker access control seen from inside the broker', () => {
  let aedes: Aedes;
  let server: net.Server;
  let url: string;
  const inside: string[] = [];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const users = new Map<string, UserRecord>([['relay', { username: 'relay', role: 'service', passwordHash: await hashPin('relay-secret-1') }]]);
    const login = createLogin({ users, allowAnonymous: false, dummyHash: await hashPin('dummy-secret'), concurrencyMax: 8, log: silentLogger });
    aedes = await Aedes.createBroker({ ...createHooks(login, 'banco', silentLogger) });
    await new Promise<void>((resolve) => aedes.subscribe('#', (packet, done) => void (inside.push(`${packet.topic} ${packet.payload.toString()}`), done()), resolve));
    server = net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    await endAll(clients);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('lets a service publish under the prefix and nowhere else', async () => {
    // The observer does see a topic outside the prefix when the broker itself publishes there.
    await new Promise<void>((resolve, reject) => aedes.publish({ cmd: 'publish', topic: 'otro/control', payload: Buffer.from('broker'), qos: 0, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())));
    await waitFor(() => inside.includes('otro/control broker'));
    const service = await connect(url, { username: 'relay', password: 'relay-secret-1' });
    clients.push(service);
    await publish(service, 'banco/transferencias', 'ok');
    await waitFor(() => inside.includes('banco/transferencias ok'));
    const other = await connect(url, { username: 'relay', password: 'relay-secret-1' });
    clients.push(other);
    other.publish('otro/x', 'outside', { qos: 0 });
    other.publish('bancoX/y', 'look-alike prefix', { qos: 0 });
    await sleep(SETTLE_MS);
    expect(inside.filter((m) => !m.startsWith('$SYS'))).toEqual(['otro/control broker', 'banco/transferencias ok']);
  });
});
