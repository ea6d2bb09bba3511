/** How a sink's report reads in the sidebar and the metrics. */
import { integrationOf, viewOf } from '../../../plugins/banco-sidebar/integrations';
import { SIDEBAR_LIMITS } from '../../../plugins/banco-sidebar/limits';

describe('an integration as the sidebar shows it', () => {
  it('names the four integrations by their node types, and any other sink by its type', () => {
    expect(['banco-audit', 'banco-email', 'banco-kafka-export', 'banco-azure-iot', 'banco-sms'].map(integrationOf)).toEqual(['audit', 'email', 'kafka', 'azure', 'sms']);
  });

  it('carries the counters, the state and since when, and the last error clipped to error_chars_max', () => {
    const view = viewOf({
      nodeId: 'k1', type: 'banco-kafka-export', name: 'to kafka', connection: 'disconnected', detail: '', since: 1_000,
      stats: { sent: 5, failed: 2, duplicates: 1, backlog: 3, failingAttempts: 4, lastError: { code: 'transient', message: 'x'.repeat(1_000), at: 2_000 }, lastSentAt: 1_500, closed: false },
    });
    expect(view).toMatchObject({ integration: 'kafka', connection: 'disconnected', since: 1_000, sent: 5, failed: 2, duplicates: 1, backlog: 3, failingAttempts: 4, lastSentAt: 1_500 });
    expect(view.lastError).toMatchObject({ code: 'transient', at: 2_000 });
    expect(view.lastError!.message).toHaveLength(SIDEBAR_LIMITS.error_chars_max);
  });
});
