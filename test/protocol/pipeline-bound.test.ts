/** A connection never has more than `pipeline_depth_max` requests in the ledger at once. */
import { LIMITS } from '../../core/limits';
import { startTestCore } from '../helpers/core';
import { TcpClient } from '../helpers/tcp-client';

describe('JSON pipelining bound', () => {
  it('answers 2,000 requests sent in one write while running at most pipeline_depth_max of them at once', async () => {
    const core = await startTestCore({ BANCO_REQUESTS_PER_SECOND_MAX: '100000' });
    const client = await TcpClient.open(core.port);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, core.ledger.pending)), 0);
    try {
      const requests = Array.from({ length: 2000 }, (_, i) => ({ id: i, op: 'depositar', cedula: '1350509525', monto: '0.01' }));
      const answers = await client.pipeline(requests);
      expect([...answers.values()].filter((a) => a.ok === true)).toHaveLength(2000);
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(LIMITS.pipeline_depth_max);
      expect(await core.ledger.consulta('1350509525')).toMatchObject({ cuenta: { saldo: 500000 + 2000 } });
    } finally {
      clearInterval(sampler);
      client.close();
      await core.stop();
    }
  });
});
