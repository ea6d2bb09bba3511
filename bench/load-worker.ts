/**
 * Load generator, run in a worker thread so the clients do not share the server's event loop:
 * `clients` TCP clients, each with one request at a time for `durationMs`, speaking
 * - `json`: JSON lines on one persistent connection;
 * - `legacy`: the legacy text protocol as the old clients speak it — one command per write with
 *   no newline, the reply taken from one read — on one persistent connection;
 * - `legacy-connect` / `json-connect`: the same, but a new connection per request (banner,
 *   request, reply, close).
 */
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export type LoadProtocol = 'json' | 'json-connect' | 'legacy' | 'legacy-connect';

export interface LoadRequest {
  port: number;
  clients: number;
  op: 'deposit' | 'transfer' | 'consulta';
  protocol?: LoadProtocol;
  accounts: string[];
  durationMs: number;
}

export interface LoadResult {
  ok: number;
  failed: number;
  codes: Record<string, number>;
  /** Round trip of each acknowledged request, in ms (only when few: consulta probes). */
  latencies_ms?: number[];
}

interface Client {
  /** Sends one request; resolves with its reply. */
  request: (text: string) => Promise<string>;
  close: () => void;
}

/** Connects and resolves once the banner line arrived; then one reply is one read (legacy) or one line (JSON). */
function connect(port: number, framing: 'line' | 'read'): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buffer = '';
    let waiting: ((reply: string) => void) | null = null;
    let bannerSeen = false;
    const client: Client = {
      request: (text) =>
        new Promise((res) => {
          waiting = res;
          socket.write(text);
        }),
      close: () => socket.destroy(),
    };
    const deliver = (reply: string): void => {
      const w = waiting;
      waiting = null;
      w?.(reply);
    };
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (!bannerSeen) {
        const i = buffer.indexOf('\n');
        if (i === -1) return;
        bannerSeen = true;
        buffer = buffer.slice(i + 1);
        resolve(client);
        if (buffer === '') return;
      }
      if (framing === 'read') {
        const reply = buffer;
        buffer = '';
        return deliver(reply);
      }
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        deliver(line);
      }
    });
    socket.once('error', reject);
  });
}

function jsonBody(req: LoadRequest, seq: number, a: string, b: string): string {
  const body = req.op === 'deposit' ? { id: seq, op: 'depositar', cedula: a, monto: '1.00' } : req.op === 'transfer' ? { id: seq, op: 'transferir', origen: a, destino: b, monto: '0.01' } : { id: seq, op: 'consulta', cedula: a };
  return JSON.stringify(body) + '\n';
}

function legacyCommand(req: LoadRequest, a: string, b: string): string {
  return req.op === 'deposit' ? `AUMENTAR ${a} 1.00` : req.op === 'transfer' ? `TRANSFERIR ${a} ${b} 0.01` : `CONSULTA ${a}`;
}

/** The reply's error code, or null when it succeeded. */
function failureCode(protocol: LoadProtocol, reply: string): string | null {
  if (protocol.startsWith('legacy')) return reply.startsWith('OK|') ? null : reply.slice(0, 60);
  const parsed = JSON.parse(reply) as { ok: boolean; error?: { code: string } };
  return parsed.ok ? null : (parsed.error?.code ?? '?');
}

async function run(req: LoadRequest): Promise<LoadResult> {
  const protocol = req.protocol ?? 'json';
  const result: LoadResult = { ok: 0, failed: 0, codes: {}, ...(req.op === 'consulta' ? { latencies_ms: [] } : {}) };
  const json = protocol === 'json' || protocol === 'json-connect';
  const framing = json ? 'line' : 'read';
  const persistent = !protocol.endsWith('-connect') ? await Promise.all(Array.from({ length: req.clients }, () => connect(req.port, framing))) : null;
  const deadline = Date.now() + req.durationMs;
  let seq = 0;
  await Promise.all(
    Array.from({ length: req.clients }, async (_, n) => {
      while (Date.now() < deadline) {
        const a = req.accounts[(seq * 7 + n) % req.accounts.length];
        let b = req.accounts[(seq * 13 + n + 1) % req.accounts.length];
        if (a === b) b = req.accounts[(seq + 1) % req.accounts.length];
        seq++;
        const started = process.hrtime.bigint();
        const c = persistent ? persistent[n] : await connect(req.port, framing);
        const reply = await c.request(json ? jsonBody(req, seq, a, b) : legacyCommand(req, a, b));
        if (!persistent) c.close();
        const code = failureCode(protocol, reply);
        if (code === null) {
          result.ok++;
          result.latencies_ms?.push(Number(process.hrtime.bigint() - started) / 1e6);
        } else {
          result.failed++;
          result.codes[code] = (result.codes[code] ?? 0) + 1;
        }
      }
    }),
  );
  for (const c of persistent ?? []) c.close();
  return result;
}

if (parentPort) {
  run(workerData as LoadRequest).then(
    (r) => parentPort!.postMessage(r),
    (err) => parentPort!.postMessage({ ok: 0, failed: -1, codes: { error: String(err) } }),
  );
}
