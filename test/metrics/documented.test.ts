/** docs/metrics.md names the port and every metric a core process registers (the Node-RED side's: test/plugins/banco-sidebar). */
import fs from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../core/clock';
import { CoreMetrics, METRICS_PORT_DEFAULT } from '../../core/metrics';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../docs/metrics.md'), 'utf8');

describe('docs/metrics.md', () => {
  it('names every metric a core process registers, process and Node.js metrics included', async () => {
    const metrics = new CoreMetrics({ instance: 'doc', clock: systemClock, processMetrics: true });
    const names = metrics.registry.getMetricsAsArray().map((m) => m.name);
    expect(names.length).toBeGreaterThan(20);
    const missing = names.filter((n) => !DOC.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('gives the default port and the settings of the listener', () => {
    expect(DOC).toContain(`127.0.0.1:${METRICS_PORT_DEFAULT}`);
    for (const setting of ['BANCO_METRICS', 'BANCO_METRICS_HOST', 'BANCO_METRICS_PORT', 'BANCO_METRICS_TOKEN', 'BANCO_HEALTH_OUTBOX_BACKLOG_MAX']) expect(DOC).toContain(`\`${setting}\``);
  });
});
