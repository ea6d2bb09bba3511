/** The development service login: one random credential per DATA_DIR, private to its owner, the same for every process. */
import fs from 'node:fs';
import path from 'node:path';
import { DEV_SERVICE_USERNAME, devServiceFile, loadDevServiceCredential } from '../../core/broker/dev-service';
import { loadBrokerConfig } from '../../core/broker/config';
import { tempDir } from './helpers';

describe('development service credential', () => {
  it('is created once, readable by its owner only, and every concurrent reader gets the same one', async () => {
    const tmp = tempDir('banco-dev-service-');
    try {
      const file = devServiceFile(tmp.dir);
      const all = await Promise.all(Array.from({ length: 8 }, () => loadDevServiceCredential(file)));
      expect(new Set(all.map((c) => c.password)).size).toBe(1);
      expect(all[0].username).toBe(DEV_SERVICE_USERNAME);
      expect(all[0].password.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(tmp.dir)).toEqual([path.basename(file)]);
      expect(await loadDevServiceCredential(file)).toEqual(all[0]);
    } finally {
      tmp.remove();
    }
  });

  it('refuses a damaged file with a line saying to delete it', async () => {
    const tmp = tempDir('banco-dev-service-');
    try {
      const file = devServiceFile(tmp.dir);
      fs.writeFileSync(file, '{"username":"banco-dev-service","password":"short"}');
      await expect(loadDevServiceCredential(file)).rejects.toThrow(`${file} is not a valid development service credential; delete it and start again.`);
    } finally {
      tmp.remove();
    }
  });

  it('is accepted by the broker only in development without a users file', () => {
    expect(loadBrokerConfig({ DATA_DIR: '/var/banco' }).devServiceFile).toBe(path.join('/var/banco', 'mqtt-dev-service.json'));
    expect(loadBrokerConfig({ DATA_DIR: '/var/banco', BANCO_MQTT_USERS_FILE: 'u.json' }).devServiceFile).toBeNull();
    expect(loadBrokerConfig({ NODE_ENV: 'production', BANCO_MQTT_USERS_FILE: 'u.json' }).devServiceFile).toBeNull();
  });
});
