/**
 * Deciding who a CONNECT is (MQTT 3.1.1 §3.1.3.4–5): users file first, then the injected
 * authenticator (customer cédula + PIN), then anonymous when allowed. Password checks are scrypt,
 * so at most `concurrencyMax` logins run at once, and their hashes share the process-wide hashing
 * bound with the core's PIN checks; unknown users cost the same as known ones.
 */
import { HubError } from '../errors';
import { verifyPin } from '../ledger/pin';
import type { Logger } from '../log';
import { ANONYMOUS_PRINCIPAL, isRole, type Authenticator, type Principal } from './principal';
import { CEDULA_IN_TOPIC, type UserRecord } from './users-file';

export type LoginResult = { ok: true; principal: Principal } | { ok: false; reason: 'bad_credentials' | 'anonymous_refused' | 'busy' };

export interface LoginDeps {
  users: ReadonlyMap<string, UserRecord>;
  authenticate?: Authenticator;
  allowAnonymous: boolean;
  /** A hash of a random secret, checked for unknown usernames so timing does not reveal who exists. */
  dummyHash: string;
  concurrencyMax: number;
  log: Logger;
}

export type Login = (username: string | undefined, password: Buffer | undefined) => Promise<LoginResult>;

function validPrincipal(p: Principal | null): p is Principal {
  if (p === null || typeof p !== 'object' || typeof p.username !== 'string' || !isRole(p.role)) return false;
  return p.role !== 'customer' || (typeof p.cedula === 'string' && CEDULA_IN_TOPIC.test(p.cedula));
}

async function checkPassword(deps: LoginDeps, username: string, password: string): Promise<LoginResult> {
  const user = deps.users.get(username);
  if (user !== undefined) {
    if (!(await verifyPin(password, user.passwordHash))) return { ok: false, reason: 'bad_credentials' };
    const principal: Principal = user.cedula === undefined ? { username, role: user.role } : { username, role: user.role, cedula: user.cedula };
    return { ok: true, principal };
  }
  if (deps.authenticate !== undefined) {
    const principal = await deps.authenticate(username, password);
    if (principal === null) return { ok: false, reason: 'bad_credentials' };
    if (validPrincipal(principal)) return { ok: true, principal: Object.freeze({ ...principal }) };
    deps.log.error('mqtt_authenticator_invalid_principal', { username });
    return { ok: false, reason: 'bad_credentials' };
  }
  await verifyPin(password, deps.dummyHash);
  return { ok: false, reason: 'bad_credentials' };
}

export function createLogin(deps: LoginDeps): Login {
  let running = 0;
  return async (username, password) => {
    if (username === undefined || username === '') {
      if (password !== undefined && password.length > 0) return { ok: false, reason: 'bad_credentials' };
      return deps.allowAnonymous ? { ok: true, principal: ANONYMOUS_PRINCIPAL } : { ok: false, reason: 'anonymous_refused' };
    }
    if (running >= deps.concurrencyMax) return { ok: false, reason: 'busy' };
    running++;
    try {
      return await checkPassword(deps, username, password?.toString('utf8') ?? '');
    } catch (err) {
      // The process-wide hashing bound (core/ledger/pin.ts) is full, or the core that checks
      // customer PINs cannot answer (core-pin-check.ts): busy, not a wrong password.
      if (err instanceof HubError && err.retriable) {
        deps.log.warn('mqtt_login_unavailable', { username, code: err.code, msg: err.message });
        return { ok: false, reason: 'busy' };
      }
      deps.log.error('mqtt_login_failed', { username, err });
      return { ok: false, reason: 'bad_credentials' };
    } finally {
      running--;
    }
  };
}
