/**
 * The SinkQueue transport of the export node: one batch = one produce request (acks −1). When
 * the broker refuses a batch for good (a record over its message.max.bytes), the records are sent
 * one by one, in order, so only the bad one fails and the rest are delivered; the first transient
 * failure there stops the walk (the rest are retried in order, never overtaking it).
 */
import { KafkaClientError, type KafkaClient, type KafkaRecord } from '../banco-kafka/client';
import { classifyKafkajsError } from '../banco-kafka/kafkajs-client';
import { SinkError } from '../shared/sink/sink-error';
import type { Outcome, SinkTransport } from '../shared/sink/sink-queue';

export function sinkErrorOf(err: unknown): SinkError {
  if (err instanceof SinkError) return err;
  const k = err instanceof KafkaClientError ? err : classifyKafkajsError(err);
  switch (k.code) {
    case 'unreachable': return new SinkError('transient', k.message, { cause: k });
    case 'auth': return new SinkError('auth', k.message, { cause: k });
    case 'too_large':
    case 'rejected': return new SinkError('permanent', k.message, { cause: k });
  }
}

export class KafkaTransport implements SinkTransport<KafkaRecord> {
  constructor(private readonly client: KafkaClient) {}

  async send(batch: readonly KafkaRecord[]): Promise<readonly Outcome[] | void> {
    try {
      await this.client.send(batch);
      return;
    } catch (err) {
      const failure = sinkErrorOf(err);
      if (failure.code !== 'permanent' || batch.length === 1) throw failure;
      return this.oneByOne(batch);
    }
  }

  classify(err: unknown): SinkError {
    return sinkErrorOf(err);
  }

  private async oneByOne(batch: readonly KafkaRecord[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const record of batch) {
      const previous = outcomes.at(-1);
      if (previous?.retriable) { outcomes.push(previous); continue; }
      try {
        await this.client.send([record]);
        outcomes.push(undefined);
      } catch (err) {
        outcomes.push(sinkErrorOf(err));
      }
    }
    return outcomes;
  }
}
