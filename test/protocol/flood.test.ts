/**
 * One connection's flood never slows the others (issue 7, "Bounds on hidden work"): while one
 * client floods, another measures CONSULTA round trips; p99 must stay under 50 ms. The old core
 * queued every line of a read at once and answered them in one go: 64 KiB of bare newlines made
 * every other client wait 4–6 s.
 */
import { percentile } from '../../bench/figure';
import { startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

type Core = Awaited<ReturnType<typeof startTestCore>>;
let core: Core;

beforeAll(async () => {
  core = await startTestCore({ BANCO_CORE_TOKEN: 'flood-test-token-0123456789' });
});
afterAll(async () => {
  await core.stop();
});

/** Round trips of CONSULTA on a fresh legacy connection until `done()` and at least `min` samples. */
async function measure(done: () => boolean, min = 300): Promise<number[]> {
  const c = await TcpClient.open(core.port);
  const latencies: number[] = [];
  const deadline = Date.now() + 20_000;
  while ((latencies.length < min || !done()) && Date.now() < deadline) {
    const started = process.hrtime.bigint();
    expect(await c.command('CONSULTA 1350509525')).toMatch(/^OK\|Stefano\|Aguilar\|/);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  c.close();
  return latencies;
}

/** Opens a connection, lets `flood` write to it, and resolves when the server closed it (or after `ms`). */
async function flooding(first: string, flood: (c: TcpClient) => void): Promise<{ closed: () => boolean; end: Promise<void> }> {
  const c = await TcpClient.open(core.port);
  c.write(first);
  flood(c);
  let closed = false;
  const end = c.waitClosed(15_000).then(() => {
    closed = true;
  });
  return { closed: () => closed, end };
}

describe('a flood on one connection', () => {
  test('64 KiB of bare newlines on a legacy connection: the others stay fast and the flooder is closed', async () => {
    const f = await flooding('STATS\n', (c) => c.write(Buffer.alloc(64 * 1024, 0x0a)));
    const latencies = await measure(f.closed);
    await f.end;
    expect(percentile(latencies, 99)).toBeLessThan(50);
  });

  test('1 MiB of bare newlines on a legacy connection: the others stay fast and the flooder is closed', async () => {
    const f = await flooding('STATS\n', (c) => {
      for (let i = 0; i < 16; i++) c.write(Buffer.alloc(64 * 1024, 0x0a));
    });
    const latencies = await measure(f.closed);
    await f.end;
    expect(percentile(latencies, 99)).toBeLessThan(50);
  });

  test('512K lines of "{" on JSON lines, before auth: the others stay fast and the flooder is closed', async () => {
    const f = await flooding('{\n', (c) => {
      for (let i = 0; i < 8; i++) c.write(Buffer.from('{\n'.repeat(64 * 1024)));
    });
    const latencies = await measure(f.closed);
    await f.end;
    expect(percentile(latencies, 99)).toBeLessThan(50);
  });

  test('3,000 valid pipelined commands on one legacy connection are all answered, in order, without stalling the others', async () => {
    const c = await TcpClient.open(core.port);
    c.write('CONSULTA 1315151515\n'.repeat(3000));
    let answered = 0;
    const reading = (async () => {
      for (; answered < 3000; answered++) expect(await c.readLine(15_000)).toBe('OK|Juan|Pérez García|1500.00');
    })();
    const latencies = await measure(() => answered >= 3000);
    await reading;
    c.close();
    expect(percentile(latencies, 99)).toBeLessThan(50);
  });

  test('a client that pipelines 64,000 requests and never reads a reply does not slow the others', async () => {
    const c = await TcpClient.open(core.port);
    c.socket.pause(); // never read: replies pile up in the server's socket
    const line = JSON.stringify({ id: 1, op: 'ping' }) + '\n';
    for (let i = 0; i < 64; i++) c.write(line.repeat(1000)); // 64,000 pings, ~1.4 MiB
    await new Promise((r) => setTimeout(r, 300));
    const latencies = await measure(() => true);
    expect(percentile(latencies, 99)).toBeLessThan(50);
    c.close();
  });
});

describe('a connection the server closed', () => {
  test('does not linger half-open: the flooder\'s socket is gone once it was closed for its errors', async () => {
    const f = await flooding('STATS\n', (c) => c.write(Buffer.alloc(64 * 1024, 0x0a)));
    await f.end;
    const c = await TcpClient.open(core.port);
    let stats = '';
    for (let i = 0; i < 50 && !stats.includes('Clientes conectados: 1|'); i++) {
      stats = await c.command('STATS');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats).toMatch(/^OK\|Clientes conectados: 1\|/);
    c.close();
  });
});
