import { readFileSync } from 'node:fs';
import net from 'node:net';
import { ConfigError } from '../../core/errors';
import type { EmbeddedBroker } from '../../core/broker/embedded-broker';
import { freePort } from '../helpers/ports';
import { makeTestCerts } from './certs';
import { collect, connect, endAll, publish, serviceLogin, sleep, startBroker, subscribeGranted, tempDir, waitFor } from './helpers';

describe('embedded broker listeners', () => {
  it('serves MQTT over WebSocket to mqtt.js on ws://', async () => {
    const broker = await startBroker({ allowAnonymous: true });
    try {
      expect(broker.wsPort).not.toBeNull();
      const ws = await connect(`ws://127.0.0.1:${broker.wsPort}`);
      const seen = collect(ws);
      expect(await subscribeGranted(ws, ['banco/#'])).toEqual([1]);
      const tcp = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, await serviceLogin());
      await publish(tcp, 'banco/retiros', 'por-ws');
      await waitFor(() => seen.length === 1);
      expect(seen[0]).toMatchObject({ topic: 'banco/retiros', payload: 'por-ws' });
      await endAll([ws, tcp]);
    } finally {
      await broker.stop();
    }
  });

  it('has no WebSocket listener when MQTT_WS_PORT is off', async () => {
    const broker = await startBroker({ wsPort: null });
    expect(broker.wsPort).toBeNull();
    await broker.stop();
  });

  it('serves MQTT over TLS with a certificate from the configured files', async () => {
    const tmp = tempDir('banco-tls-');
    const certs = makeTestCerts(tmp.dir);
    const broker = await startBroker({ allowAnonymous: true, tls: { port: 0, certFile: certs.certFile, keyFile: certs.keyFile, caFile: null } });
    try {
      const client = await connect(`mqtts://127.0.0.1:${broker.tlsPort}`, { ca: readFileSync(certs.caFile), servername: 'localhost', ...(await serviceLogin()) });
      const seen = collect(client);
      await subscribeGranted(client, ['banco/alertas']);
      await publish(client, 'banco/alertas', 'cifrado');
      await waitFor(() => seen.length === 1);
      await endAll([client]);
      await expect(connect(`mqtts://127.0.0.1:${broker.tlsPort}`, { rejectUnauthorized: true })).rejects.toThrow();
    } finally {
      await broker.stop();
      tmp.remove();
    }
  });

  it('fails with one clear ConfigError when the MQTT port is taken', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const started = startBroker({ tcpPort: port });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(`MQTT broker: port 127.0.0.1:${port} is already in use; stop the other process or set MQTT_PORT to a free port.`);
    } finally {
      squatter.close();
    }
  });

  it('names MQTT_WS_PORT when the WebSocket port is taken, and releases the TCP port it had bound', async () => {
    const [tcpPort, wsPort] = [await freePort(), await freePort()];
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(wsPort, '127.0.0.1', r));
    try {
      await expect(startBroker({ tcpPort, wsPort })).rejects.toThrow(/MQTT_WS_PORT/);
      const again = await startBroker({ tcpPort, wsPort: null }); // the TCP port was released
      await again.stop();
    } finally {
      squatter.close();
    }
  });

  it('closes a connection whose packet claims more than the packet size bound', async () => {
    const broker = await startBroker({ allowAnonymous: true, limits: { ...(await import('../../core/broker/limits')).BROKER_LIMITS, packet_bytes_max: 1024 } });
    try {
      const client = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, await serviceLogin());
      let closed = false;
      client.on('close', () => (closed = true));
      client.publish('banco/x', Buffer.alloc(2048), { qos: 0 });
      await waitFor(() => closed);
      const small = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, await serviceLogin());
      const seen = collect(small);
      await subscribeGranted(small, ['banco/x']);
      await publish(small, 'banco/x', Buffer.alloc(1000).toString());
      await waitFor(() => seen.length === 1);
      await endAll([client, small]);
    } finally {
      await broker.stop();
    }
  });

  it('refuses a client asking for no keep-alive or one above the bound, and accepts the usual 60 s', async () => {
    const broker = await startBroker({ allowAnonymous: true, wsPort: null });
    const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
    try {
      await expect(connect(url, { keepalive: 0 })).rejects.toThrow();
      await expect(connect(url, { keepalive: 3601 })).rejects.toThrow();
      await endAll([await connect(url, { keepalive: 60 })]);
    } finally {
      await broker.stop();
    }
  });

  it('refuses connections past the connection bound and accepts again once one closes', async () => {
    const { BROKER_LIMITS } = await import('../../core/broker/limits');
    const broker = await startBroker({ allowAnonymous: true, limits: { ...BROKER_LIMITS, connections_max: 2 } });
    const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
    try {
      const first = await connect(url);
      const second = await connect(`ws://127.0.0.1:${broker.wsPort}`);
      await expect(connect(url, { connectTimeout: 1000 })).rejects.toThrow();
      await first.endAsync();
      await sleep(100);
      const third = await connect(url);
      await endAll([second, third]);
    } finally {
      await broker.stop();
    }
  });
});
