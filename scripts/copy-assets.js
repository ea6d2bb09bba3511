// Copies the files Node-RED loads beside each compiled node (.html editor files, locales, icons)
// from the source tree into dist/, preserving paths. Editor files that mark a list with
// `/* EVENT_KINDS */ []` get the event kinds of the compiled event catalog there, so the editor
// offers exactly the kinds the runtime knows (core/outbox/event-catalog.ts). Run after tsc.
const fs = require('node:fs');
const path = require('node:path');

const ROOTS = ['nodes', 'plugins', 'bridge'];
const ASSET = /\.(html|json|png|svg|css)$/
const KINDS_SLOT = '/* EVENT_KINDS */ []';
const CATALOG = path.resolve('dist', 'core', 'outbox', 'event-catalog.js');

function fillEventKinds(text, source) {
  if (!text.includes(KINDS_SLOT)) return text;
  if (!fs.existsSync(CATALOG)) throw new Error(`${source} needs ${CATALOG}: run tsc first`);
  const { EVENT_KIND_NAMES } = require(CATALOG);
  return text.split(KINDS_SLOT).join(JSON.stringify(EVENT_KIND_NAMES));
}

function copyAsset(source, target) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (source.endsWith('.html')) fs.writeFileSync(target, fillEventKinds(fs.readFileSync(source, 'utf8'), source));
  else fs.copyFileSync(source, target);
}

function copyTree(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (ASSET.test(entry.name) && !entry.name.endsWith('.d.ts')) copyAsset(source, target);
  }
}

for (const root of ROOTS) copyTree(root, path.join('dist', root));
