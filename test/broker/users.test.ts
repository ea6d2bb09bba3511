import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runBrokerUserAdd } from '../../core/broker/users-cli';
import { readUsersFile } from '../../core/broker/users-file';
import { verifyPin } from '../../core/ledger/pin';
import { connect, startBroker, tempDir } from './helpers';

function output(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('banco broker-user add', () => {
  const tmp = tempDir('banco-users-');
  const file = path.join(tmp.dir, 'sub', 'users.json');
  afterAll(() => tmp.remove());

  it('creates the file with an scrypt hash, readable by its owner only, and the broker accepts the user', async () => {
    const { out, text } = output();
    expect(await runBrokerUserAdd(['add', 'relay', '--role', 'service', '--file', file, '--password-stdin'], out, {}, Readable.from(['s3rvice-pass\n']))).toBe(0);
    expect(text()).toContain('added relay (service)');
    const [user] = await readUsersFile(file);
    expect(user).toMatchObject({ username: 'relay', role: 'service' });
    expect(user.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPin('s3rvice-pass', user.passwordHash)).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('s3rvice-pass');
    expect(statSync(file).mode & 0o077).toBe(0);
    const broker = await startBroker({ usersFile: file, allowAnonymous: false });
    const client = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, { username: 'relay', password: 's3rvice-pass' });
    await client.endAsync();
    await broker.stop();
  });

  it('replaces the password of an existing user and keeps the others', async () => {
    await runBrokerUserAdd(['reader1', '--role', 'reader', '--file', file, '--password', 'first-pass'], output().out, {});
    const { out, text } = output();
    expect(await runBrokerUserAdd(['reader1', '--role', 'reader', '--password', 'second-pass'], out, { BANCO_MQTT_USERS_FILE: file })).toBe(0);
    expect(text()).toContain('updated reader1');
    const users = await readUsersFile(file);
    expect(users.map((u) => u.username)).toEqual(['relay', 'reader1']);
    expect(await verifyPin('second-pass', users[1].passwordHash)).toBe(true);
  });

  it.each([
    [['c1', '--role', 'customer', '--password', 'long-enough'], 'a customer needs --cedula'],
    [['r1', '--role', 'admin', '--password', 'long-enough'], '--role must be service, reader or customer'],
    [['r1', '--role', 'reader', '--password', 'short'], 'the password must have 8–256 characters'],
    [['bad user', '--role', 'reader', '--password', 'long-enough'], 'username must be 1–128 characters'],
  ])('refuses %j and leaves the file as it was', async (args, message) => {
    const before = readFileSync(file, 'utf8');
    const { out, text } = output();
    expect(await runBrokerUserAdd([...args, '--file', file], out, {})).toBeGreaterThan(0);
    expect(text()).toContain(message);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('makes the broker refuse to start on a malformed users file, naming the file and entry', async () => {
    const bad = path.join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ username: 'x', passwordHash: 'plain', role: 'service' }]));
    await expect(startBroker({ usersFile: bad })).rejects.toThrow(`${bad} entry 1 (x): passwordHash must be scrypt$N$r$p$salt$key`);
  });
});
