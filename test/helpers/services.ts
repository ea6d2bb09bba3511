/**
 * Service-dependent suites: `describeWith('mysql', …)` runs when global-setup found the service;
 * otherwise (never under CI, where global-setup fails instead) the suite is skipped with a reason.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export type Service = 'mysql' | 'mosquitto' | 'mosquitto-server' | 'kafka';

export function hasService(service: Service): boolean {
  return process.env[`BANCO_TEST_HAS_${service.toUpperCase().replace(/-/g, '_')}`] === '1';
}

export function describeWith(service: Service, name: string, fn: () => void): void {
  if (hasService(service)) describe(name, fn);
  else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": ${service} is not available on this machine`);
    describe.skip(name, fn);
  }
}

/** A fresh, empty MySQL database for one suite; drop it with the returned function. */
export async function createTestDatabase(prefix = 'banco_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.BANCO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const conn = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
