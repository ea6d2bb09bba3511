/**
 * The package installs into a Node-RED 4.1 user directory like any palette module: build,
 * `npm pack`, `npm install <tarball>` there, start a stock Node-RED — installed from the npm
 * registry into its own directory, not this package's copy — on a free port with that user
 * directory, and check through the admin API that every banco-* type loaded (no load error) and
 * the examples are listed. The install must not pull a second Node-RED (node-red is only an
 * optional peer of this package).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { tempDir } from './helpers/audit-fixtures';
import { waitUntil } from './helpers/red';

const REPO = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; main: string; 'node-red': { nodes: Record<string, string> } };
/** The stock Node-RED the palette install is tested against: exact, so the test means the same every run. */
const STOCK_NODE_RED = '4.1.8';
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--omit=dev', '--loglevel=error'];

interface NodeSet {
  module: string;
  types: string[];
  enabled: boolean;
  loaded: boolean;
  err?: unknown;
}

function npmInstall(dir: string, spec: string): void {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  execFileSync('npm', ['install', ...NPM_QUIET, spec], { cwd: dir, stdio: 'pipe' });
}

describe('installing the package into a Node-RED user directory of a stock Node-RED', () => {
  const userDir = tempDir('banco-nr-user-');
  const redDir = tempDir('banco-nr-stock-');
  let red: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    npmInstall(redDir, `node-red@${STOCK_NODE_RED}`);
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'pipe' });
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', userDir], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    npmInstall(userDir, path.join(userDir, tarball));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    red = spawn(process.execPath, [path.join(redDir, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATA_DIR: userDir } });
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

  test('the install pulls no Node-RED of its own, and the package main file exists', () => {
    const installed = path.join(userDir, 'node_modules', PKG.name);
    expect(fs.existsSync(path.join(installed, 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(userDir, 'node_modules', 'node-red'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'node_modules', 'node-red'))).toBe(false);
    expect(fs.existsSync(path.join(installed, PKG.main))).toBe(true);
    expect(fs.existsSync(path.join(REPO, PKG.main))).toBe(true);
  });

  test('the running Node-RED is the stock one from its own directory', async () => {
    const res = await fetch(`${base}/settings`, { headers: { Accept: 'application/json' } });
    expect(((await res.json()) as { version: string }).version).toBe(STOCK_NODE_RED);
    const stock = JSON.parse(fs.readFileSync(path.join(redDir, 'node_modules', 'node-red', 'package.json'), 'utf8')) as { version: string };
    expect(stock.version).toBe(STOCK_NODE_RED);
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

  test('the help of the Azure IoT Hub nodes is served whole in Spanish to a Spanish editor', async () => {
    const html = await (await fetch(`${base}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': 'es-ES' } })).text();
    expect(html).toContain('Envía cada evento a Azure IoT Hub');
    expect(html).toContain('Una identidad de dispositivo de Azure IoT Hub');
  });

  test('the examples are listed under Import > Examples', async () => {
    const res = await fetch(`${base}/library/examples/flows/${PKG.name}`, { headers: { Accept: 'application/json' } });
    const listing = JSON.stringify(await res.json());
    for (const name of ['banco-events', 'banco-audit', 'banco-broker', 'banco-azure-iot']) expect(listing).toContain(name);
  });
});
