/**
 * Load generator, run in a worker thread so the clients do not share the server's event loop:
 * `clients` TCP connections, each sending one JSON request at a time for `durationMs`.
 */
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadRequest {
  port: number;
  clients: number;
  op: 'deposit' | 'transfer';
  accounts: string[];
  durationMs: number;
}

export interface LoadResult {
  ok: number;
  failed: number;
  codes: Record<string, number>;
}

function client(port: number): Promise<{ request: (line: string) => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buffer = '';
    let waiting: ((line: string) => void) | null = null;
    let bannerSeen = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (!bannerSeen) {
          bannerSeen = true;
          resolve({
            request: (l) =>
              new Promise((res) => {
                waiting = res;
                socket.write(l);
              }),
            close: () => socket.destroy(),
          });
          continue;
        }
        const w = waiting;
        waiting = null;
        w?.(line);
      }
    });
    socket.once('error', reject);
  });
}

async function run(req: LoadRequest): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, codes: {} };
  const deadline = Date.now() + req.durationMs;
  const conns = await Promise.all(Array.from({ length: req.clients }, () => client(req.port)));
  let seq = 0;
  await Promise.all(
    conns.map(async (c, n) => {
      while (Date.now() < deadline) {
        const a = req.accounts[(seq * 7 + n) % req.accounts.length];
        const b = req.accounts[(seq * 13 + n + 1) % req.accounts.length];
        seq++;
        const body = req.op === 'deposit' ? { id: seq, op: 'depositar', cedula: a, monto: '1.00' } : { id: seq, op: 'transferir', origen: a, destino: a === b ? req.accounts[(seq + 1) % req.accounts.length] : b, monto: '0.01' };
        const reply = JSON.parse(await c.request(JSON.stringify(body) + '\n')) as { ok: boolean; error?: { code: string } };
        if (reply.ok) result.ok++;
        else {
          result.failed++;
          const code = reply.error?.code ?? '?';
          result.codes[code] = (result.codes[code] ?? 0) + 1;
        }
      }
    }),
  );
  for (const c of conns) c.close();
  return result;
}

if (parentPort) {
  run(workerData as LoadRequest).then(
    (r) => parentPort!.postMessage(r),
    (err) => parentPort!.postMessage({ ok: 0, failed: -1, codes: { error: String(err) } }),
  );
}
