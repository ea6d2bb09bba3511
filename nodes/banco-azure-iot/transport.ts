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
  constructor(private readonly connection: DeviceConnection, private readonly limit: RateLimit, private readonly batching: boolean, private readonly messagesPerDay: number) {}

  async send(batch: readonly TelemetryItem[]): Promise<readonly Outcome[]> {
    const outcomes: Outcome[] = batch.map(() => undefined);
    const deviceId = this.connection.settings.identity.deviceId;
    const messages = packMessages(batch, this.batching);
    for (let m = 0; m < messages.length; m++) {
      const message = messages[m];
      const bytes = messageBytes(message.body, message.properties);
      if (!this.limit.takeDaily(bytes)) {
        const err = new SinkError('permanent', `daily quota of ${this.messagesPerDay} messages (4 KB blocks) reached: not sent; the count starts again at 00:00 UTC`);
        for (const i of message.items) outcomes[i] = err;
        continue;
      }
      await this.limit.takeSend();
      try {
        await this.connection.publish(telemetryTopic(deviceId, message.properties), message.body);
      } catch (err) {
        const failure = this.classify(err);
        this.limit.refundDaily(bytes);
        for (const later of messages.slice(m)) for (const i of later.items) outcomes[i] = failure;
        break;
      }
    }
    return outcomes;
  }

  classify(err: unknown): SinkError {
    return isSinkError(err) ? err : new SinkError('transient', (err as Error)?.message ?? String(err), { cause: err });
  }
}
