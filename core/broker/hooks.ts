/**
 * The aedes hooks that apply login.ts and acl.ts. Each connected client's principal is kept in a
 * WeakMap, so it goes away with the client; a client without one (not yet authenticated) may do
 * nothing.
 */
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from '../log';
import { canPublish, canReceive, canSubscribe } from './acl';
import type { Login } from './login';
import type { Principal } from './principal';
import { atGrantedQos } from './granted-qos';

/** CONNACK return codes, MQTT 3.1.1 §3.2.2.3. */
const CONNACK = { server_unavailable: 3, bad_username_or_password: 4, not_authorized: 5 } as const;

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

function authError(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export function createHooks(login: Login, prefix: string, log: Logger): Hooks {
  const principals = new WeakMap<Client, Principal>();

  const authenticate: Hooks['authenticate'] = (client, username, password, done) => {
    login(username, password).then((result) => {
      // The last will is published later on the client's behalf — after a broker restart even
      // with no client at all (aedes clears persisted wills as `client = null`) — so its topic is
      // authorised now, at CONNECT, like any publish of this principal.
      const will = (client as Client & { _will?: { topic?: string } })._will;
      if (result.ok && will?.topic !== undefined && !canPublish(result.principal, will.topic, prefix)) {
        log.warn('mqtt_will_refused', { client: client.id, username: result.principal.username, topic: will.topic });
        return done(authError(CONNACK.not_authorized, 'Not authorized'), false);
      }
      if (result.ok) {
        principals.set(client, result.principal);
        return done(null, true);
      }
      log.warn('mqtt_login_refused', { client: client.id, username: username ?? '', reason: result.reason });
      if (result.reason === 'busy') return done(authError(CONNACK.server_unavailable, 'Server busy'), false);
      if (result.reason === 'anonymous_refused') return done(authError(CONNACK.not_authorized, 'Not authorized'), false);
      return done(authError(CONNACK.bad_username_or_password, 'Bad user name or password'), false);
    }, (err: unknown) => done(authError(CONNACK.server_unavailable, String(err)), false));
  };

  const authorizePublish: Hooks['authorizePublish'] = (client, packet: PublishPacket, done) => {
    // client is null for the broker's own publishes ($SYS).
    if (client === null) return done(null);
    const principal = principals.get(client);
    if (principal !== undefined && canPublish(principal, packet.topic, prefix)) return done(null);
    log.warn('mqtt_publish_refused', { client: client.id, username: principal?.username, topic: packet.topic });
    done(new Error(`publish to ${packet.topic} not allowed`));
  };

  const authorizeSubscribe: Hooks['authorizeSubscribe'] = (client, sub: Subscription, done) => {
    const principal = principals.get(client);
    if (principal !== undefined && canSubscribe(principal, sub.topic, prefix)) return done(null, sub);
    log.warn('mqtt_subscribe_refused', { client: client.id, username: principal?.username, topic: sub.topic });
    done(null, null); // SUBACK 0x80 for this filter, MQTT 3.1.1 §3.9.3
  };

  // Runs for live, queued and retained deliveries alike; also downgrades to the granted QoS.
  const authorizeForward: Hooks['authorizeForward'] = (client, packet: AedesPublishPacket) => {
    const principal = principals.get(client);
    return principal !== undefined && canReceive(principal, packet.topic, prefix) ? atGrantedQos(client, packet) : null;
  };

  return { authenticate, authorizePublish, authorizeSubscribe, authorizeForward };
}
