/**
 * Customer login (cédula + PIN, CONTRACT §5 and §7) for a broker that runs without the ledger in
 * its process: it asks the core over JSON lines (CONTRACT §4) — `auth` with the core's service
 * token when one is configured, then `verificar_pin` — on a short-lived connection per check.
 * Each check is bounded in time and in number; when the core cannot answer (down, slow, busy,
 * token refused) the login fails as "server unavailable" (a HubError), never as "bad
 * credentials", so a customer is not told a right PIN is wrong. Wrong PINs count towards the
 * account's lock in the core, exactly as in one process.
 */
import net from 'node:net';
import { HubError } from '../errors';
import { isAccountKey } from '../ledger/cedula';
import type { Logger } from '../log';
import { Slots } from '../slots';
import type { Authenticator } from './principal';

export interface CorePinCheckTarget {
  host: string;
  port: number;
  /** BANCO_CORE_TOKEN, when the core requires `auth`. */
  token: string | null;
  timeoutMs: number;
  /** Checks in flight at once; one more is refused at once (busy), not queued. */
  concurrencyMax: number;
}

/** Answers the core may give `verificar_pin` that mean "these credentials do not log in". */
const REFUSALS = new Set(['PIN_INCORRECTO', 'CUENTA_BLOQUEADA', 'CLIENTE_NO_ENCONTRADO', 'CEDULA_INVALIDA', 'PARAMETRO_INVALIDO']);
/** A longer answer line from the core is not an answer to this request. */
const ANSWER_CHARS_MAX = 64 * 1024;

interface Answer {
  id?: unknown;
  ok?: unknown;
  error?: { code?: unknown };
}

function unavailable(why: string, cause?: unknown): HubError {
  return new HubError('NO_DISPONIBLE', `core unavailable for PIN checks: ${why}`, { cause });
}

/** Sends the request lines and resolves with the answer whose id is `verificar`. */
function askCore(target: CorePinCheckTarget, cedula: string, pin: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let buffered = '';
    const finish = (err: HubError | null, answer?: Answer): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(() => finish(unavailable(`no answer within ${target.timeoutMs} ms`)), target.timeoutMs);
    socket.once('error', (err) => finish(unavailable((err as NodeJS.ErrnoException).code ?? err.message, err)));
    socket.once('close', () => finish(unavailable('connection closed before the answer')));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > ANSWER_CHARS_MAX) return finish(unavailable('answer too long'));
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        // A core with the legacy text protocol on greets every connection with its banner first (CONTRACT §3).
        if (!line.startsWith('{')) continue;
        let a: Answer;
        try {
          a = JSON.parse(line) as Answer;
        } catch {
          return finish(unavailable('answer is not JSON'));
        }
        if (a.id === 'auth' && a.ok !== true) return finish(unavailable('the core refused BANCO_CORE_TOKEN'));
        if (a.id === 'verificar') return finish(null, a);
      }
    });
    const lines = [...(target.token === null ? [] : [{ id: 'auth', op: 'auth', token: target.token }]), { id: 'verificar', op: 'verificar_pin', cedula, pin }];
    socket.write(lines.map((l) => JSON.stringify(l) + '\n').join(''));
  });
}

export function corePinCheck(target: CorePinCheckTarget, log: Logger): Authenticator {
  const slots = new Slots(target.concurrencyMax, 0, () => new HubError('LIMITE_EXCEDIDO', 'too many PIN checks in flight'));
  return async (username, password) => {
    if (!isAccountKey(username)) return null;
    const answer = await slots.run(() => askCore(target, username, password));
    if (answer.ok === true) return { username, role: 'customer', cedula: username };
    const code = String(answer.error?.code ?? '');
    if (REFUSALS.has(code)) return null;
    // LIMITE_EXCEDIDO (the core's PIN hashing is full), NO_DISPONIBLE, NO_AUTORIZADO, INTERNO: not the customer's fault.
    log.warn('mqtt_customer_login_unavailable', { cedula: username, code });
    throw unavailable(`the core answered ${code}`);
  };
}
