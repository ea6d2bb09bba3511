/**
 * Load generator for the bridge suite, in a worker thread (the clients do not share the server's
 * event loop). Each of `clients` clients repeats one customer round trip for `durationMs`:
 * log in (cédula + PIN), read the balance, deposit 1.00 with an idempotency key — or, with
 * `loginEach: false`, log in once and then repeat only balance + deposit — either
 * - `bridge`: over HTTP through the bridge (cookie session, CSRF header; node:http with a
 *   keep-alive agent, a cheaper client than fetch, so the figure is the bridge's cost), or
 * - `core`: straight on the core's JSON lines (`verificar_pin`, `consulta`, `depositar`), one
 *   persistent connection per client.
 */
import http from 'node:http';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

export interface BridgeLoadRequest {
  mode: 'bridge' | 'core';
  /** Bridge base URL, or the core's port. */
  url: string;
  corePort: number;
  clients: number;
  accounts: string[];
  pin: string;
  durationMs: number;
  /** Log in on every round trip (the figure), or once per client (the bridge's per-request cost). */
  loginEach: boolean;
}

export interface BridgeLoadResult {
  ok: number;
  failed: number;
  codes: Record<string, number>;
}

type RoundTrip = (cedula: string) => Promise<string | null>; // null = ok, else the failure code

const agent = new http.Agent({ keepAlive: true });

interface Reply {
  status: number;
  body: string;
  setCookie: string;
}

function send(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, setCookie: (res.headers['set-cookie'] ?? [''])[0] }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function bridgeLogin(url: string, cedula: string, pin: string): Promise<{ cookie: string; csrf: string } | string> {
  const login = await send(url, 'POST', '/api/v1/sesion', {}, { cedula, pin });
  const session = JSON.parse(login.body) as { csrf?: string; error?: { code: string } };
  if (login.status !== 201) return session.error?.code ?? `HTTP_${login.status}`;
  return { cookie: login.setCookie.split(';')[0], csrf: session.csrf ?? '' };
}

async function bridgeRoundTrip(url: string, pin: string, loginEach: boolean): Promise<RoundTrip> {
  let kept: { cookie: string; csrf: string } | null = null;
  return async (cedula) => {
    const login = loginEach || kept === null ? await bridgeLogin(url, cedula, pin) : kept;
    if (typeof login === 'string') return login;
    if (!loginEach) kept = login;
    const { cookie, csrf } = login;
    const cuenta = await send(url, 'GET', '/api/v1/cuenta', { Cookie: cookie });
    if (cuenta.status !== 200) return `HTTP_${cuenta.status}`;
    const dep = await send(url, 'POST', '/api/v1/depositos', { Cookie: cookie, 'X-CSRF-Token': csrf }, { monto: '1.00', clave: randomUUID() });
    return dep.status === 200 ? null : `HTTP_${dep.status}`;
  };
}

function coreRoundTrip(port: number, pin: string, loginEach: boolean): Promise<{ trip: RoundTrip; close: () => void }> {
  let loggedIn = false;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buffered = '';
    let banner = false;
    let waiting: ((line: string) => void) | null = null;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!banner) {
          banner = true;
          continue;
        }
        const w = waiting;
        waiting = null;
        w?.(line);
      }
    });
    let id = 0;
    const ask = (body: Record<string, unknown>): Promise<{ ok: boolean; error?: { code: string } }> =>
      new Promise((done) => {
        waiting = (line) => done(JSON.parse(line));
        socket.write(JSON.stringify({ id: ++id, ...body }) + '\n');
      });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        close: () => socket.destroy(),
        trip: async (cedula) => {
          const ops: Array<Record<string, unknown>> = loginEach || !loggedIn ? [{ op: 'verificar_pin', cedula, pin }] : [];
          loggedIn = true;
          for (const body of [...ops, { op: 'consulta', cedula }, { op: 'depositar', cedula, monto: '1.00', ref: randomUUID() }]) {
            const r = await ask(body);
            if (!r.ok) return r.error?.code ?? 'ERROR';
          }
          return null;
        },
      }),
    );
  });
}

async function run(req: BridgeLoadRequest): Promise<BridgeLoadResult> {
  const result: BridgeLoadResult = { ok: 0, failed: 0, codes: {} };
  const deadline = Date.now() + req.durationMs;
  await Promise.all(
    Array.from({ length: req.clients }, async (_, c) => {
      const cedula = req.accounts[c % req.accounts.length];
      const core = req.mode === 'core' ? await coreRoundTrip(req.corePort, req.pin, req.loginEach) : null;
      const trip = core ? core.trip : await bridgeRoundTrip(req.url, req.pin, req.loginEach);
      while (Date.now() < deadline) {
        const failure = await trip(cedula).catch((err: unknown) => (err as Error).message);
        if (failure === null) result.ok++;
        else {
          result.failed++;
          result.codes[failure] = (result.codes[failure] ?? 0) + 1;
        }
      }
      core?.close();
    }),
  );
  return result;
}

if (parentPort) run(workerData as BridgeLoadRequest).then((r) => parentPort!.postMessage(r));
