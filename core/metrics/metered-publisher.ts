/** The relay's publisher, timing each acknowledged publish for banco_core_relay_publish_duration_seconds. */
import type { RelayPublisher } from '../outbox/relay';
import { secondsSince } from '../protocol/request-label';

export function meteredPublisher(inner: RelayPublisher, observe: (qos: 0 | 1 | 2, seconds: number) => void): RelayPublisher {
  return {
    get connected() {
      return inner.connected;
    },
    async publish(topic, payload, options) {
      const startedNs = process.hrtime.bigint();
      await inner.publish(topic, payload, options);
      observe(options.qos, secondsSince(startedNs));
    },
    waitConnected: (timeoutMs) => inner.waitConnected(timeoutMs),
  };
}
