/**
 * aedes-persistence keeps every QoS 1/2 message for an offline persistent session, without end.
 * This bound counts what is queued per client id and drops the newest past the limit, as
 * Mosquitto's max_queued_messages does. Counts are kept in memory: after a restart they start from
 * zero, so a session can hold at most twice the bound across one restart.
 */
import type { Logger } from '../log';
import type { AedesPersistence } from './persistence';

export const SESSIONS_TRACKED_MAX = 100_000;
/** Drops are logged once per client and interval, with how many were dropped, not once each. */
export const DROP_LOG_INTERVAL_MS = 10_000;

export function boundSessionQueues(persistence: AedesPersistence, queuedMax: number, log: Logger): void {
  const queued = new Map<string, number>();
  const drops = dropLog(log, queuedMax);
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  const clear = persistence.outgoingClearMessageId.bind(persistence);
  const clean = persistence.cleanSubscriptions.bind(persistence);

  persistence.outgoingEnqueueCombi = (subs, packet) => {
    const admitted = subs.filter((sub) => {
      const count = queued.get(sub.clientId) ?? 0;
      if (count >= queuedMax) {
        drops(sub.clientId);
        return false;
      }
      if (count === 0 && queued.size >= SESSIONS_TRACKED_MAX) return false;
      queued.set(sub.clientId, count + 1);
      return true;
    });
    return enqueue(admitted, packet);
  };
  persistence.outgoingClearMessageId = (client, packet) => {
    const count = queued.get(client.id) ?? 0;
    if (count <= 1) queued.delete(client.id);
    else queued.set(client.id, count - 1);
    return clear(client, packet);
  };
  persistence.cleanSubscriptions = (client) => {
    queued.delete(client.id);
    return clean(client);
  };
}

/** Counts drops per client; logs the first at once and the rest as one line per interval. */
function dropLog(log: Logger, queuedMax: number): (clientId: string) => void {
  const pending = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    for (const [client, dropped] of pending) log.warn('mqtt_session_queue_full', { client, max: queuedMax, dropped });
    pending.clear();
  };
  return (clientId) => {
    const before = pending.get(clientId);
    if (before === undefined && timer === null) log.warn('mqtt_session_queue_full', { client: clientId, max: queuedMax, dropped: 1 });
    else pending.set(clientId, (before ?? 0) + 1);
    if (timer === null) {
      timer = setTimeout(flush, DROP_LOG_INTERVAL_MS);
      timer.unref();
    }
    if (pending.size >= SESSIONS_TRACKED_MAX) flush();
  };
}
