import type { RedAPI } from '../../../nodes/shared/node-red';
import { sinkStatus } from '../../../nodes/shared/sink/sink-node';
import type { SinkStats } from '../../../nodes/shared/sink/sink-queue';

const RED = { _: (key: string, subs?: Record<string, unknown>) => `${key.split('.').pop()}${subs ? ' ' + JSON.stringify(subs) : ''}` } as unknown as RedAPI;
const healthy: SinkStats = { sent: 5, failed: 0, duplicates: 0, backlog: 2, failingAttempts: 0, lastError: undefined, lastSentAt: 1000, closed: false };

describe('sink status', () => {
  it('says connected only when the transport is connected and nothing is failing', () => {
    expect(sinkStatus(RED, 'banco-x', { state: 'connected' }, healthy)).toEqual({ fill: 'green', shape: 'dot', text: 'sent {"sent":5,"backlog":2}' });
  });

  it('shows a dead connection with its backlog, never green', () => {
    expect(sinkStatus(RED, 'banco-x', { state: 'disconnected' }, healthy)).toMatchObject({ fill: 'red', shape: 'ring', text: 'disconnected {"backlog":2}' });
    expect(sinkStatus(RED, 'banco-x', { state: 'connecting' }, healthy)).toMatchObject({ fill: 'yellow' });
  });

  it('shows retries with the last error while a batch keeps failing', () => {
    const stats = { ...healthy, failingAttempts: 3, lastError: { code: 'transient', message: 'connect ECONNREFUSED 127.0.0.1:2525', at: 2000 } };
    expect(sinkStatus(RED, 'banco-x', { state: 'connected' }, stats).text).toBe('retrying {"attempts":3,"error":"connect ECONNREFUSED 127.0.0.1:2525","backlog":2}');
  });

  it('stays red after a refusal until something is sent again', () => {
    const failed = { ...healthy, lastError: { code: 'auth', message: 'Invalid login: 535 bad credentials', at: 2000 } };
    expect(sinkStatus(RED, 'banco-x', { state: 'connected' }, failed)).toMatchObject({ fill: 'red', shape: 'dot' });
    expect(sinkStatus(RED, 'banco-x', { state: 'connected' }, { ...failed, lastSentAt: 3000 })).toMatchObject({ fill: 'green' });
  });

  it('an idle sink says what to set, in grey', () => {
    expect(sinkStatus(RED, 'banco-x', { state: 'idle', detail: 'set KAFKA_BROKERS' }, healthy)).toEqual({ fill: 'grey', shape: 'ring', text: 'set KAFKA_BROKERS' });
  });
});
