// Copies the files Node-RED loads beside each compiled node (.html editor files, locales, icons)
// from the source tree into dist/, preserving paths.
const fs = require('node:fs');
const path = require('node:path');

const ROOTS = ['nodes', 'plugins', 'bridge'];
const ASSET = /\.(html|json|png|svg|css)$/

function copyTree(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (ASSET.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}

for (const root of ROOTS) copyTree(root, path.join('dist', root));
