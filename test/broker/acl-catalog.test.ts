/**
 * Both ACLs — the embedded broker's rules (core/broker/acl.ts) and the shipped Mosquitto file
 * (mosquitto/config/acl) — against the event catalog (core/outbox/event-catalog.ts): each role
 * may do with every catalog topic exactly what it needs (CONTRACT §5 "Broker security"), and
 * nobody may touch a topic outside the prefix. The Mosquitto file is read as Mosquitto 2.x reads
 * an acl_file; test/mosquitto/prod-config.test.ts runs it in the real broker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canPublish, canReceive, canSubscribe } from '../../core/broker/acl';
import type { Principal } from '../../core/broker/principal';
import { EVENT_KIND_NAMES, PUBLISHER_WILL, relativeTopic } from '../../core/outbox/event-catalog';
import { topicMatches } from '../../nodes/shared/event-kinds';

/** The prefix the shipped Mosquitto file is written for (mosquitto/config/acl). */
const PREFIX = 'banco';
const OWN = '1350509525';
const OTHER = '1712345675';
const ACL_FILE = path.resolve(__dirname, '..', '..', 'mosquitto', 'config', 'acl');

interface Access {
  publish: boolean;
  receive: boolean;
}

/** Every topic the hub publishes (each kind, for two accounts, and the publisher's will) and a few it never does. */
const CATALOG_TOPICS = [...new Set([...EVENT_KIND_NAMES.flatMap((k) => [OWN, OTHER].map((c) => `${PREFIX}/${relativeTopic(k, c)}`)), `${PREFIX}/${PUBLISHER_WILL.topic}`])];
const FOREIGN_TOPICS = ['otro/transacciones', `${PREFIX}x/alertas`, `otro/${PREFIX}/saldo/${OWN}`, '$SYS/broker/uptime'];
const NOTHING: Access = { publish: false, receive: false };

interface Role {
  principal: Principal;
  /** What the role needs on a catalog topic; outside the prefix it needs nothing. */
  needs: (topic: string) => Access;
}

const SERVICE: Role = { principal: { username: 'banco-relay', role: 'service' }, needs: () => ({ publish: true, receive: true }) };
const READER: Role = { principal: { username: 'banco-monitor', role: 'reader' }, needs: () => ({ publish: false, receive: true }) };
const CUSTOMER: Role = {
  principal: { username: OWN, role: 'customer', cedula: OWN },
  needs: (topic) => ({ publish: false, receive: topic === `${PREFIX}/${relativeTopic('balance', OWN)}` }),
};

/** The shipped Mosquitto users and the role each stands for; a customer's username is its cédula. */
const MOSQUITTO_USERS: Record<string, Role> = {
  'banco-relay': SERVICE,
  'banco-nodered': SERVICE,
  'banco-bridge': SERVICE,
  'banco-monitor': READER,
  [OWN]: CUSTOMER,
};

function expected(role: Role): Array<[string, Access]> {
  return [...CATALOG_TOPICS.map((t): [string, Access] => [t, role.needs(t)]), ...FOREIGN_TOPICS.map((t): [string, Access] => [t, NOTHING])];
}

interface MosquittoRule {
  user: string | null;
  pattern: boolean;
  access: 'read' | 'write' | 'readwrite' | 'deny';
  filter: string;
}

/** Mosquitto 2.x acl_file: `user` starts a user's section; `topic [access] filter`; `pattern` applies to everyone. */
function readMosquittoAcl(text: string): { users: string[]; rules: MosquittoRule[] } {
  const users: string[] = [];
  const rules: MosquittoRule[] = [];
  let user: string | null = null;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'user') users.push((user = rest.join(' ')));
    else if (word === 'topic' || word === 'pattern') {
      const access = rest.length > 1 ? rest[0] : 'readwrite';
      if (access !== 'read' && access !== 'write' && access !== 'readwrite' && access !== 'deny') throw new Error(`acl: unknown access in "${line}"`);
      rules.push({ user, pattern: word === 'pattern', access, filter: rest[rest.length - 1] });
    } else throw new Error(`acl: unknown line "${line}"`);
  }
  return { users, rules };
}

function mosquittoAllows(rules: MosquittoRule[], username: string, wants: 'read' | 'write', topic: string): boolean {
  const applies = rules.filter((r) => (r.pattern ? true : r.user === username)).map((r) => ({ ...r, filter: r.filter.replace(/%[uc]/g, username) }));
  const matching = applies.filter((r) => topicMatches(r.filter, topic));
  if (matching.some((r) => r.access === 'deny')) return false;
  return matching.some((r) => r.access === 'readwrite' || r.access === wants);
}

describe('the embedded broker ACL against the event catalog', () => {
  it.each([SERVICE, READER, CUSTOMER].map((r) => [r.principal.role, r] as const))('gives a %s exactly what it needs on every catalog topic, and nothing outside the prefix', (_name, role) => {
    const got = expected(role).map(([topic]): [string, Access] => [topic, { publish: canPublish(role.principal, topic, PREFIX), receive: canReceive(role.principal, topic, PREFIX) }]);
    expect(got).toEqual(expected(role));
    // A subscription to a concrete topic follows the same rule as receiving it.
    for (const [topic, need] of expected(role)) expect([topic, canSubscribe(role.principal, topic, PREFIX)]).toEqual([topic, need.receive]);
  });
});

describe('the shipped Mosquitto ACL against the event catalog', () => {
  const acl = readMosquittoAcl(fs.readFileSync(ACL_FILE, 'utf8'));

  it('lists only users whose role this test knows', () => {
    expect(acl.users.sort()).toEqual(Object.keys(MOSQUITTO_USERS).filter((u) => u !== OWN).sort());
  });

  it.each(Object.entries(MOSQUITTO_USERS))('gives %s exactly what its role needs on every catalog topic, and nothing outside the prefix', (username, role) => {
    const got = expected(role).map(([topic]): [string, Access] => [topic, { publish: mosquittoAllows(acl.rules, username, 'write', topic), receive: mosquittoAllows(acl.rules, username, 'read', topic) }]);
    expect(got).toEqual(expected(role));
  });
});
