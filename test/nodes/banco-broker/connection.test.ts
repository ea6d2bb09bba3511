import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerConnection, type ConnectionState } from '../../../nodes/banco-broker/connection';
import { readSettings } from '../../../nodes/banco-broker/settings';
import { AedesBroker, bancoEvent, publish } from '../../helpers/aedes-broker';
import { sleep, waitUntil } from '../helpers/red';

function user(id: string) {
  const states: ConnectionState[] = [];
  return { id, states, onState: (s: ConnectionState) => states.push(s), last: () => states.at(-1) };
}

describe('BrokerConnection against a real aedes broker', () => {
  let broker: AedesBroker;
  beforeEach(async () => {
    broker = await AedesBroker.start();
  });
  afterEach(async () => {
    await broker.stop();
  });

  test('connects on the first user and disconnects when the last user leaves', async () => {
    const conn = new BrokerConnection(readSettings({ url: broker.url }));
    await sleep(100);
    expect(broker.clients).toBe(0);
    const a = user('a');
    const b = user('b');
    conn.register(a);
    conn.register(b);
    await waitUntil('connected', () => a.last() === 'connected' && b.last() === 'connected');
    expect(broker.clients).toBe(1);
    await conn.deregister('a');
    await sleep(100);
    expect(broker.clients).toBe(1);
    await conn.deregister('b');
    await waitUntil('client gone', () => broker.clients === 0);
    expect(b.last()).toBe('connected'); // b left before the disconnect; it gets no more updates
  });

  test('a topic shared by two users stays subscribed until the last of them unsubscribes', async () => {
    const conn = new BrokerConnection(readSettings({ url: broker.url }));
    const got: Record<string, string[]> = { a: [], b: [] };
    const handler = (who: string) => (_t: string, payload: Buffer) => got[who].push(String(JSON.parse(payload.toString()).id));
    const a = user('a');
    conn.register(a);
    conn.register(user('b'));
    conn.subscribe('a', 'banco/transacciones', 1, handler('a'));
    conn.subscribe('a', 'banco/#', 1, handler('a'));
    conn.subscribe('b', 'banco/transacciones', 1, handler('b'));
    await waitUntil('connected', () => a.last() === 'connected');
    await sleep(100);
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('1') }]);
    await waitUntil('both got it', () => got.a.length === 1 && got.b.length === 1);
    conn.unsubscribe('b', 'banco/transacciones');
    await publish(broker.url, [{ topic: 'banco/transacciones', payload: bancoEvent('2') }]);
    await waitUntil('a got the second', () => got.a.length === 2);
    await sleep(200);
    expect(got).toEqual({ a: ['1', '2'], b: ['1'] }); // a once per message despite two matching filters
    await conn.close();
  });

  test('a user registering after a failed connect sees the error state, not connected', async () => {
    const url = broker.url;
    await broker.stop();
    const conn = new BrokerConnection(readSettings({ url }));
    const a = user('a');
    conn.register(a);
    await sleep(1_000);
    expect(a.states).not.toContain('connected');
    await conn.close();
  });

  test('unusable settings keep the connection in error with the reason', async () => {
    const conn = new BrokerConnection(readSettings({ url: broker.url, caFile: '/nonexistent/ca.pem' }));
    const details: Array<string | undefined> = [];
    conn.register({ id: 'a', onState: (_s, d) => details.push(d) });
    await sleep(50);
    expect(details.at(-1)).toMatch(/not TLS: use mqtts/);
    expect(broker.clients).toBe(0);
  });
});

describe('BrokerConnection TLS options', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

  beforeAll(() => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=banco-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'));
    fs.writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:broker.banco.test\n');
    for (const [name, cn] of [['server', 'broker.banco.test'], ['client', 'banco-client']]) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
      openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file(`${name}.pem`));
    }
  });

  async function tlsBroker(requireClientCert: boolean): Promise<AedesBroker> {
    return AedesBroker.start({
      tls: { key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.pem')), ca: [fs.readFileSync(file('ca.pem'))], requestCert: requireClientCert, rejectUnauthorized: requireClientCert },
    });
  }

  async function finalState(settings: Parameters<typeof readSettings>[0]): Promise<ConnectionState | undefined> {
    const conn = new BrokerConnection(readSettings(settings));
    const u = user('u');
    conn.register(u);
    const settled = () => u.states.includes('connected') || u.states.includes('error') || u.states.lastIndexOf('disconnected') > 0;
    await waitUntil('a settled state', settled, 8_000).catch(() => {});
    await conn.close();
    return u.states.includes('connected') ? 'connected' : u.last();
  }

  test('a CA file alone with the server name verifies the broker', async () => {
    const broker = await tlsBroker(false);
    try {
      expect(await finalState({ url: broker.url, caFile: file('ca.pem'), servername: 'broker.banco.test' })).toBe('connected');
    } finally {
      await broker.stop();
    }
  });

  test('without the CA the broker certificate is refused, unless verification is switched off', async () => {
    const broker = await tlsBroker(false);
    try {
      expect(await finalState({ url: broker.url, servername: 'broker.banco.test' })).not.toBe('connected');
      expect(await finalState({ url: broker.url, rejectUnauthorized: false })).toBe('connected');
    } finally {
      await broker.stop();
    }
  });

  test('a wrong server name is refused even with the right CA', async () => {
    const broker = await tlsBroker(false);
    try {
      expect(await finalState({ url: broker.url, caFile: file('ca.pem'), servername: 'other.banco.test' })).not.toBe('connected');
    } finally {
      await broker.stop();
    }
  });

  test('a client certificate and key satisfy a broker that requires one', async () => {
    const broker = await tlsBroker(true);
    try {
      const base = { url: broker.url, caFile: file('ca.pem'), servername: 'broker.banco.test' };
      expect(await finalState({ ...base, certFile: file('client.pem'), keyFile: file('client.key') })).toBe('connected');
      expect(await finalState(base)).not.toBe('connected');
    } finally {
      await broker.stop();
    }
  });

  test('a certificate without its key is refused as a setting', () => {
    expect(readSettings({ url: 'mqtts://127.0.0.1:8883', certFile: file('client.pem') }).configError).toMatch(/both the certificate and the key/);
  });
});
