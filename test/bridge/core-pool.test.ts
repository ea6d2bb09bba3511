/**
 * The bridge's pool of JSON-lines connections to the core: authenticates with the service token,
 * answers out-of-order replies by id, times out a silent core, refuses past its pending bound at
 * once, and reconnects by itself when the core comes back on the same port.
 */
import net from 'node:net';
import { CorePool } from '../../bridge/core-client/core-pool';
import { silentLogger } from '../../core/log';
import { startTestCore, tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';

const TOKEN = 'bridge-test-token-0123456789';

function pool(port: number, extra: Partial<ConstructorParameters<typeof CorePool>[0]> = {}): CorePool {
  return new CorePool({ host: '127.0.0.1', port, token: TOKEN, timeoutMs: 2000, lineBytesMax: 1 << 20, connections: 2, pendingMax: 64, ...extra }, silentLogger);
}

/** A core that accepts connections and never answers: the one fault a real core will not show on demand. */
async function silentServer(): Promise<{ port: number; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => void sockets.push(s.on('error', () => undefined)));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

it('authenticates with the service token and answers pipelined requests by id', async () => {
  const core = await startTestCore({ BANCO_CORE_TOKEN: TOKEN, BANCO_DEMO_DATA: 'on' });
  const p = pool(core.port);
  await p.start();
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => p.request(i % 2 === 0 ? { op: 'ping' } : { op: 'consulta', cedula: '1350509525' })));
  expect(replies.filter((r) => r.pong === true)).toHaveLength(20);
  expect(replies.filter((r) => (r.cliente as { cedula?: string } | undefined)?.cedula === '1350509525')).toHaveLength(20);
  await p.stop();
  await core.stop();
});

it('fails to start with a wrong token', async () => {
  const core = await startTestCore({ BANCO_CORE_TOKEN: TOKEN });
  const p = pool(core.port, { token: 'not-the-token-at-all-xxxx' });
  await expect(p.start()).rejects.toMatchObject({ code: 'NO_AUTORIZADO' });
  await p.stop();
  await core.stop();
});

it('times out a core that does not answer, and refuses at once past the pending bound', async () => {
  const silent = await silentServer();
  const p = pool(silent.port, { token: null, timeoutMs: 300, pendingMax: 3 });
  await p.start();
  const waiting = [p.request({ op: 'ping' }), p.request({ op: 'ping' }), p.request({ op: 'ping' })];
  const started = Date.now();
  await expect(p.request({ op: 'ping' })).rejects.toMatchObject({ code: 'NO_DISPONIBLE' });
  expect(Date.now() - started).toBeLessThan(100);
  for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'NO_DISPONIBLE' });
  expect(p.pending).toBe(0);
  await p.stop();
  silent.close();
});

it('reconnects by itself when the core restarts on the same port', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const first = await startTestCore({ DATA_DIR: dataDir, CORE_PORT: String(port), BANCO_CORE_TOKEN: TOKEN });
  const p = pool(port);
  await p.start();
  expect((await p.request({ op: 'ping' })).ok).toBe(true);
  await first.stop();
  await expect(p.request({ op: 'ping' })).rejects.toMatchObject({ code: 'NO_DISPONIBLE' });
  const second = await startTestCore({ DATA_DIR: dataDir, CORE_PORT: String(port), BANCO_CORE_TOKEN: TOKEN });
  let reply: Record<string, unknown> | null = null;
  for (let i = 0; i < 100 && reply === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
    reply = await p.request({ op: 'ping' }).catch(() => null);
  }
  expect(reply).toMatchObject({ ok: true, pong: true });
  await p.stop();
  await second.stop();
});
