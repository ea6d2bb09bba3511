/**
 * The broker's access rules (CONTRACT §5 "Broker security"), as pure functions of the principal:
 *
 * | role     | publish          | subscribe / receive            |
 * |----------|------------------|--------------------------------|
 * | service  | `<prefix>/...`   | `<prefix>/...`                 |
 * | reader   | nothing          | `<prefix>/...`                 |
 * | customer | nothing          | `<prefix>/saldo/<own cedula>`  |
 *
 * Receive is checked again for every message forwarded (including retained ones), so a filter
 * that slipped past subscribe could still never leak another customer's saldo.
 */
import { relativeTopic } from '../outbox/event-catalog';
import type { Principal } from './principal';

/** True when every topic the filter (or topic) can match lies under `<prefix>/`. */
export function isUnderPrefix(topicOrFilter: string, prefix: string): boolean {
  return topicOrFilter === prefix || topicOrFilter.startsWith(prefix + '/');
}

/** A customer's own balance topic: the catalog's `balance` kind (CONTRACT §5). */
export function saldoTopic(prefix: string, cedula: string): string {
  return `${prefix}/${relativeTopic('balance', cedula)}`;
}

export function canPublish(principal: Principal, topic: string, prefix: string): boolean {
  switch (principal.role) {
    case 'service':
      return isUnderPrefix(topic, prefix);
    case 'reader':
    case 'customer':
      return false;
  }
}

export function canSubscribe(principal: Principal, filter: string, prefix: string): boolean {
  switch (principal.role) {
    case 'service':
    case 'reader':
      return isUnderPrefix(filter, prefix);
    case 'customer':
      // Exactly its own topic: no wildcard can widen it (MQTT 3.1.1 §4.7).
      return principal.cedula !== undefined && filter === saldoTopic(prefix, principal.cedula);
  }
}

/**
 * What a client may be sent (live, queued or retained): the same rule as what it may subscribe
 * to, applied to the concrete topic — a topic is a filter without wildcards.
 */
export function canReceive(principal: Principal, topic: string, prefix: string): boolean {
  return canSubscribe(principal, topic, prefix);
}
