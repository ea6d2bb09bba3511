/**
 * The SinkQueue transport of banco-email (nodes/shared/sink): sends every mail of a batch at once
 * over the mailer (the pool spreads them over its connections) and reports one outcome per mail,
 * so one refused recipient does not hold back the others and only the transient ones are retried.
 */
import type { Mailer, OutgoingMail } from '../banco-smtp/mailer';
import { classifySmtpError } from '../banco-smtp/classify-smtp-error';
import type { Outcome, SinkTransport } from '../shared/sink/sink-queue';

export function emailTransport(mailer: Mailer): SinkTransport<OutgoingMail> {
  return {
    async send(batch: readonly OutgoingMail[]): Promise<readonly Outcome[]> {
      const settled = await Promise.allSettled(batch.map((mail) => mailer.send(mail)));
      return settled.map((r) => (r.status === 'fulfilled' ? undefined : classifySmtpError(r.reason)));
    },
    classify: classifySmtpError,
  };
}
