/**
 * The SinkQueue transport of banco-azure-iot: packs a batch into IoT Hub messages, keeps to the
 * rate limit, publishes each at QoS 1 through the device connection and reports one outcome per
 * event. Messages go one after another; when one fails, it and every later one get that error, so
 * the queue retries them in order (transient) or refuses them (auth, quota).
 */
import type { DeviceConnection } from '../banco-azure-device/device-connection';
import { telemetryTopic } from '../banco-azure-device/dialect';
import { SinkError, isSinkError } from '../shared/sink/sink-error';
import type { Outcome, SinkTransport } from '../shared/sink/sink-queue';
import { packMessages } from './pack-messages';
import type { RateLimit } from './rate-limit';
import { messageBytes, type TelemetryItem } from './telemetry';

export class IotHubTransport implements SinkTransport<TelemetryItem> {
  constructor(private readonly connection: DeviceConnection, private readonly limit: RateLimit, private readonly eventsPerMessage: number, private readonly messagesPerDay: number) {}

  /**
   * Publishes the batch's messages back to back, without waiting for each PUBACK (QoS 1 keeps
   * their order on the one connection), then waits for all. From the first message that failed
   * on, every message counts as failed, so a retry resends them in their order (the ones after it
   * that did arrive arrive twice: at-least-once, deduped by `$.mid`).
   */
  async send(batch: readonly TelemetryItem[]): Promise<readonly Outcome[]> {
    const outcomes: Outcome[] = batch.map(() => undefined);
    const deviceId = this.connection.settings.identity.deviceId;
    const flights: Array<{ items: number[]; bytes: number; done: Promise<SinkError | undefined> }> = [];
    for (const message of packMessages(batch, this.eventsPerMessage)) {
      const bytes = messageBytes(message.body, message.properties);
      if (!this.limit.takeDaily(bytes)) {
        const err = new SinkError('permanent', `daily quota of ${this.messagesPerDay} messages (4 KB blocks) reached: not sent; the count starts again at 00:00 UTC`);
        for (const i of message.items) outcomes[i] = err;
        continue;
      }
      await this.limit.takeSend();
      const done = this.connection.publish(telemetryTopic(deviceId, message.properties), message.body).then(() => undefined, (err: unknown) => this.classify(err));
      flights.push({ items: message.items, bytes, done });
    }
    let failure: SinkError | undefined;
    for (const flight of flights) {
      failure ??= await flight.done;
      if (!failure) continue;
      await flight.done;
      this.limit.refundDaily(flight.bytes);
      for (const i of flight.items) outcomes[i] = failure;
    }
    return outcomes;
  }

  classify(err: unknown): SinkError {
    return isSinkError(err) ? err : new SinkError('transient', (err as Error)?.message ?? String(err), { cause: err });
  }
}
