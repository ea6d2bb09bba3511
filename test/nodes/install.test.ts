/**
 * The package installs into a fresh Node-RED 4.1 user directory like any palette module:
 * build, `npm pack`, `npm install <tarball>` there, start Node-RED on a free port, and check
 * through the admin API that every banco-* type loaded (no load error) and the examples are listed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { tempDir } from './helpers/audit-fixtures';
import { waitUntil } from './helpers/red';

const REPO = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--omit=dev', '--loglevel=error'];

interface NodeSet {
  module: string;
  types: string[];
  enabled: boolean;
  loaded: boolean;
  err?: unknown;
}

describe('installing the package into a fresh Node-RED user directory', () => {
  const userDir = tempDir('banco-nr-user-');
  let red: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'pipe' });
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', userDir], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    execFileSync('npm', ['install', ...NPM_QUIET, path.join(userDir, tarball)], { cwd: userDir, stdio: 'pipe' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    red = spawn(process.execPath, [path.join(userDir, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATA_DIR: userDir } });
    red.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    red.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    await waitUntil('Node-RED to start', () => /Started flows|Server now running/.test(log), 60_000);
  }, 300_000);

  afterAll(async () => {
    if (!red || red.exitCode !== null) return;
    const exited = new Promise((r) => red!.once('exit', r));
    red.kill('SIGTERM');
    await exited;
  });

  test('every banco-* node type declared in package.json loads without error', async () => {
    const res = await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    const sets = (await res.json()) as NodeSet[];
    const ours = sets.filter((s) => s.module === PKG.name);
    const types = ours.flatMap((s) => s.types).sort();
    expect(types).toEqual(Object.keys(PKG['node-red'].nodes).sort());
    expect(types.length).toBeGreaterThanOrEqual(3);
    for (const set of ours) expect({ types: set.types, enabled: set.enabled, err: set.err }).toEqual({ types: set.types, enabled: true, err: undefined });
    expect(log).not.toMatch(/banco[^\n]*(Error|error)/);
  });

  test('the editor gets each node\'s html and the message catalogs in English and Spanish', async () => {
    const html = await (await fetch(`${base}/nodes`, { headers: { Accept: 'text/html' } })).text();
    for (const type of Object.keys(PKG['node-red'].nodes)) expect(html).toContain(`data-help-name="${type}"`);
    for (const [lng, word] of [['en-US', 'connected'], ['es-ES', 'conectado']]) {
      const res = await fetch(`${base}/nodes/messages?lng=${lng}`, { headers: { Accept: 'application/json' } });
      const catalogs = (await res.json()) as Record<string, { 'banco-events'?: { status: { connected: string } } }>;
      expect(catalogs[`${PKG.name}/banco-events`]?.['banco-events']?.status.connected).toBe(word);
    }
  });

  test('the examples are listed under Import > Examples', async () => {
    const res = await fetch(`${base}/library/examples/flows/${PKG.name}`, { headers: { Accept: 'application/json' } });
    const listing = JSON.stringify(await res.json());
    for (const name of ['banco-events', 'banco-audit', 'banco-broker']) expect(listing).toContain(name);
  });
});
