/**
 * The embedded Node-RED neither calls home nor asks about it (docs/node-red.md "Telemetry"): its
 * telemetry setting is off, so the editor's first-open question (shown only while the setting is
 * undefined) never appears, and no update notification is shown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadNodeRedConfig } from '../../hub/config';
import { NODE_RED_TELEMETRY, nodeRedSettings, startNodeRed, type EmbeddedNodeRed } from '../../hub/node-red';
import { silentLogger } from '../../core/log';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';

describe('the embedded Node-RED and telemetry', () => {
  it('gives the runtime telemetry off and update notifications off, in every mode', () => {
    expect(NODE_RED_TELEMETRY).toEqual({ enabled: false, updateNotification: false });
    for (const env of [{}, { NODE_ENV: 'production', BANCO_NODE_RED_SECRET: 's'.repeat(32), BANCO_NODE_RED_ADMIN_USER: 'ops', BANCO_NODE_RED_ADMIN_PASSWORD_HASH: '$2b$08$ZxMqeqFSeUQqjD4HlsOH6upOMLmvOxegS0r.wMnZK9rqzUrMFGwjq' }]) {
      expect(nodeRedSettings(loadNodeRedConfig({ DATA_DIR: tempDir(), ...env }), 'flows.json').telemetry).toEqual({ enabled: false, updateNotification: false });
    }
  });

  describe('a running editor', () => {
    let red: EmbeddedNodeRed;

    beforeAll(async () => {
      const dataDir = tempDir();
      // An empty flow file: this test is about the runtime's settings, not the default flows.
      fs.mkdirSync(path.join(dataDir, 'node-red'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'node-red', 'flows.json'), '[]');
      red = await startNodeRed(loadNodeRedConfig({ DATA_DIR: dataDir, NODE_RED_PORT: String(await freePort()), BANCO_NODE_RED_LOG_LEVEL: 'error' }), silentLogger);
    });
    afterAll(() => red?.stop());

    it('tells the editor telemetry is disabled (false, not undefined), so it never asks', async () => {
      const settings = (await (await fetch(`http://127.0.0.1:${red.port}/settings`)).json()) as Record<string, unknown>;
      expect(settings).toHaveProperty('telemetryEnabled', false);
    });
  });
});
