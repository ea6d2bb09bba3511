/** docs/metrics.md names the port and every metric a core process registers, and the Node-RED side's. */
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../../core/clock';
import { CoreMetrics, INTEGRATION_METRIC_NAMES, METRICS_PORT_DEFAULT, registerIntegrationMetrics } from '../../core/metrics';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../docs/metrics.md'), 'utf8');

describe('docs/metrics.md', () => {
  it('names every metric a core process registers, process and Node.js metrics included', async () => {
    const metrics = new CoreMetrics({ instance: 'doc', clock: systemClock, processMetrics: true });
    const names = metrics.registry.getMetricsAsArray().map((m) => m.name);
    expect(names.length).toBeGreaterThan(20);
    const missing = names.filter((n) => !DOC.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('names every per-integration metric of the Node-RED side API', () => {
    const registry = new Registry();
    registerIntegrationMetrics(registry);
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(names).toEqual([...INTEGRATION_METRIC_NAMES]);
    expect(names.filter((n) => !DOC.includes(`\`${n}\``))).toEqual([]);
  });

  it('gives the default port and the settings of the listener', () => {
    expect(DOC).toContain(`127.0.0.1:${METRICS_PORT_DEFAULT}`);
    for (const setting of ['BANCO_METRICS', 'BANCO_METRICS_HOST', 'BANCO_METRICS_PORT', 'BANCO_METRICS_TOKEN', 'BANCO_HEALTH_OUTBOX_BACKLOG_MAX']) expect(DOC).toContain(`\`${setting}\``);
  });
});

describe('the per-integration metrics API', () => {
  it('counts sent and failed events and sets the backlog per integration on the caller\'s registry', async () => {
    const registry = new Registry();
    const m = registerIntegrationMetrics(registry);
    m.sent('banco-audit', 3);
    m.sent('banco-audit');
    m.failed('banco-email');
    m.backlog('banco-kafka', 7);
    const text = await registry.metrics();
    expect(text).toContain('banco_integration_sent_total{integration="banco-audit"} 4');
    expect(text).toContain('banco_integration_failed_total{integration="banco-email"} 1');
    expect(text).toContain('banco_integration_backlog{integration="banco-kafka"} 7');
  });
});
