/** docs/metrics.md names every series the Node-RED side serves, and the route's authentication. */
import fs from 'node:fs';
import path from 'node:path';
import { EventFeed } from '../../../nodes/shared/event-feed';
import { nodeRedMetrics, NODE_RED_METRIC_NAMES } from '../../../plugins/banco-sidebar/metrics';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../../docs/metrics.md'), 'utf8');
const SECTION = DOC.slice(DOC.indexOf('## Node-RED'));

describe('docs/metrics.md, Node-RED section', () => {
  it('names every metric the Node-RED process registers, process and Node.js metrics included', () => {
    const names = nodeRedMetrics(new EventFeed(), { processMetrics: true }).getMetricsAsArray().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining([...NODE_RED_METRIC_NAMES]));
    expect(names.filter((n) => !SECTION.includes(`\`${n}\``))).toEqual([]);
  });

  it('gives the route and how Prometheus authenticates', () => {
    expect(SECTION).toContain('/banco/metrics');
    expect(SECTION).toContain('banco.read');
    expect(SECTION).toMatch(/authorization: \{ type: Bearer/);
  });
});
