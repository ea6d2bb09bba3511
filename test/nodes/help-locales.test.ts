/**
 * Every node type listed in package.json "node-red".nodes has its whole help in English and in
 * Spanish, and Node-RED serves the one the editor asks for.
 *
 * How Node-RED 4.1 picks a node's help (@node-red/registry/lib/loader.js): help blocks written
 * inline in <type>.html are registered under the default language (en-US) when the node loads;
 * for any other language it reads locales/<lang>/<type>.html beside it (then locales/<lang-prefix>/,
 * then falls back to en-US). So an inline block would shadow locales/en-US/<type>.html: the main
 * .html must hold the editor template and registration only.
 *
 * The file checks run on the sources (nodes/); the serving check starts a real Node-RED on the
 * built package (dist/, built by `npm test`'s pretest or `npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { tempDir } from './helpers/audit-fixtures';
import { waitUntil } from './helpers/red';

const REPO = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };
const LANGS = ['en-US', 'es-ES'] as const;
/** Fewer words than this is a stub, not a help text (the shortest real help, banco-broker's, has ~200). */
const HELP_WORDS_MIN = 40;
/** Above this share of its words also in the English help, a "Spanish" help is mostly untranslated. */
const SHARED_WORDS_SHARE_MAX = 0.5;
/** The sections of the Node-RED help style guide, in order, and their names in Node-RED's own es-ES help. */
const SECTIONS: Record<string, string> = { Inputs: 'Entradas', Outputs: 'Salidas', Details: 'Detalles', References: 'Referencias' };
const NODE_RED_START_MS_MAX = 60_000;

interface NodeFiles {
  type: string;
  /** Folder of the node's sources, e.g. nodes/banco-audit. */
  dir: string;
  /** File name base Node-RED derives the help and catalog names from (the .js name). */
  base: string;
}

/** package.json points at dist/<dir>/<base>.js; the sources live in <dir>/. */
const NODES: NodeFiles[] = Object.entries(PKG['node-red'].nodes).map(([type, file]) => ({
  type,
  dir: path.dirname(file.replace(/^dist\//, '')),
  base: path.basename(file).replace(/\.c?js$/, ''),
}));

function read(...parts: string[]): string {
  return fs.readFileSync(path.join(REPO, ...parts), 'utf8');
}

function helpBlock(html: string, type: string): string | undefined {
  const re = new RegExp(`<script type="text/html" data-help-name="${type}">[\\s\\S]*?</script>`, 'g');
  const blocks = html.match(re) ?? [];
  if (blocks.length > 1) throw new Error(`${type}: ${blocks.length} help blocks, expected one`);
  return blocks[0];
}

function helpFile(node: NodeFiles, lang: string): string {
  return read(node.dir, 'locales', lang, `${node.base}.html`);
}

/** The readable words of a help text: tags and code removed. */
function words(help: string): string[] {
  const text = help.replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&[a-z]+;/g, ' ');
  return text.toLowerCase().match(/\p{L}{2,}/gu) ?? [];
}

function all(html: string, re: RegExp): string[] {
  return [...html.matchAll(re)].map((m) => m[1].trim());
}

/** Every leaf of a message catalog as a dotted key. */
function keys(catalog: unknown, prefix = ''): string[] {
  if (typeof catalog !== 'object' || catalog === null) return [prefix];
  return Object.entries(catalog).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

function lookup(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined), catalog);
}

/** The literal message keys the editor file uses: data-i18n="[attr]key;key" and _('key'). */
function editorKeys(html: string): string[] {
  const attrs = all(html, /data-i18n="([^"]+)"/g).flatMap((v) => v.split(';')).map((k) => k.replace(/^\[[^\]]+\]/, ''));
  const calls = all(html, /_\(\s*['"]([^'"]+)['"]\s*[,)]/g);
  return [...attrs, ...calls].filter((k) => !k.includes(':'));
}

describe.each(NODES)('$type help and message catalogs', (node) => {
  const catalogs = LANGS.map((lang) => JSON.parse(read(node.dir, 'locales', lang, `${node.base}.json`)) as unknown);

  test('the main .html keeps the editor template and no inline help, which would shadow locales/en-US', () => {
    const main = read(node.dir, `${node.base}.html`);
    expect(main).toContain(`data-template-name="${node.type}"`);
    expect(main).not.toContain('data-help-name');
  });

  test.each(LANGS)('the %s help file holds one help block for the type with a real text', (lang) => {
    const block = helpBlock(helpFile(node, lang), node.type);
    expect(block).toBeDefined();
    expect(words(block!).length).toBeGreaterThanOrEqual(HELP_WORDS_MIN);
  });

  test('the English help uses only the style guide sections, in order', () => {
    const headings = all(helpFile(node, 'en-US'), /<h3>([^<]*)<\/h3>/g);
    const order = Object.keys(SECTIONS);
    expect(headings.filter((h) => order.includes(h))).toEqual(headings);
    expect([...headings].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(headings);
  });

  test('the Spanish help is a translation of the whole English help, with the same structure', () => {
    const en = helpBlock(helpFile(node, 'en-US'), node.type)!;
    const es = helpBlock(helpFile(node, 'es-ES'), node.type)!;
    expect(es).not.toEqual(en);
    expect(all(es, /<h3>([^<]*)<\/h3>/g)).toEqual(all(en, /<h3>([^<]*)<\/h3>/g).map((h) => SECTIONS[h]));
    for (const tag of [/<dt[ >]/g, /<code>/g, /<p>/g, /<li>/g, /<dl class="message-properties">/g]) {
      expect({ tag: tag.source, count: (es.match(tag) ?? []).length }).toEqual({ tag: tag.source, count: (en.match(tag) ?? []).length });
    }
    const english = new Set(words(en));
    const spanish = words(es);
    expect(spanish.length).toBeGreaterThanOrEqual(HELP_WORDS_MIN);
    expect(spanish.filter((w) => english.has(w)).length / spanish.length).toBeLessThan(SHARED_WORDS_SHARE_MAX);
  });

  test('both message catalogs have the same keys, each a non-empty text', () => {
    const [en, es] = catalogs.map((c) => keys(c));
    expect(es).toEqual(en);
    expect(en.length).toBeGreaterThan(0);
    for (const catalog of catalogs) for (const key of keys(catalog)) expect({ key, ok: String(lookup(catalog, key) ?? '').trim() !== '' }).toEqual({ key, ok: true });
  });

  test('every message key the editor file uses is in both catalogs', () => {
    const used = editorKeys(read(node.dir, `${node.base}.html`));
    expect(used.length).toBeGreaterThan(0);
    for (const [i, catalog] of catalogs.entries()) {
      for (const key of used) expect({ lang: LANGS[i], key, found: typeof lookup(catalog, key) === 'string' }).toEqual({ lang: LANGS[i], key, found: true });
    }
  });
});

describe('a Node-RED started on the built package serves the help in the editor\'s language', () => {
  const userDir = tempDir('banco-nr-help-');
  let red: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    for (const node of NODES) {
      const built = path.join('dist', node.dir);
      const stale = !fs.existsSync(path.join(REPO, built, `${node.base}.js`))
        || read(built, `${node.base}.html`).includes('data-help-name')
        || LANGS.some((lang) => !fs.existsSync(path.join(REPO, built, 'locales', lang, `${node.base}.html`)) || read(built, 'locales', lang, `${node.base}.html`) !== helpFile(node, lang));
      if (stale) throw new Error(`${built} is missing or older than ${node.dir}: run \`npm run build\` first`);
    }
    // The package as a user-directory module, the way `npm install` in ~/.node-red would place it.
    const link = path.join(userDir, 'node_modules', ...PKG.name.split('/'));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(REPO, link, 'dir');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    red = spawn(process.execPath, [require.resolve('node-red/red.js'), '-u', userDir, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATA_DIR: userDir } });
    red.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    red.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    await waitUntil('Node-RED to start', () => /Started flows|Server now running/.test(log) || red!.exitCode !== null, NODE_RED_START_MS_MAX);
    if (red.exitCode !== null) throw new Error(`Node-RED exited: ${log}`);
  }, NODE_RED_START_MS_MAX + 10_000);

  afterAll(async () => {
    if (red && red.exitCode === null) {
      const exited = new Promise((r) => red!.once('exit', r));
      red.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function editorHtml(lang: string): Promise<string> {
    const res = await fetch(`${base}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': lang } });
    expect(res.status).toBe(200);
    return res.text();
  }

  test('every listed type loaded without error', async () => {
    const sets = (await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json()) as { module: string; types: string[]; err?: unknown }[];
    const ours = sets.filter((s) => s.module === PKG.name);
    expect(ours.flatMap((s) => s.types).sort()).toEqual(NODES.map((n) => n.type).sort());
    for (const set of ours) expect({ types: set.types, err: set.err }).toEqual({ types: set.types, err: undefined });
  });

  test.each([
    ['es-ES', 'es-ES'],
    ['en-US', 'en-US'],
    ['fr-FR', 'en-US'],
  ])('an editor in %s gets the %s help of every type, once', async (asked, served) => {
    const html = await editorHtml(asked);
    for (const node of NODES) {
      const other = LANGS.find((l) => l !== served)!;
      expect({ type: node.type, help: helpBlock(html, node.type) }).toEqual({ type: node.type, help: helpBlock(helpFile(node, served), node.type) });
      expect(html).not.toContain(helpBlock(helpFile(node, other), node.type));
      expect(html).toContain(`data-template-name="${node.type}"`);
    }
  });
});
