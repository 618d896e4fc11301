// Trunk post-build hook (Trunk.toml): writes the service worker `sw.js` into
// the build from the template `www/offline/sw.js`, with the list of every
// file of the build (the hashed names trunk just made) and a version: the
// SHA-256 of their names and contents, so any change to any asset is a new
// version and a clean update. Minified with esbuild (an npm dev dependency).
//
//   TRUNK_STAGING_DIR=dist node www/offline/precache.mjs
//
// `precacheList(dir)` and `serviceWorkerSource(dir, template)` are exported
// for tests.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The service worker's own name in the build. */
export const SERVICE_WORKER = 'sw.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every file under `dir` but the service worker, as sorted `./` URLs. */
export function precacheList(dir) {
  const found = [];
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found
    .filter((path) => path !== SERVICE_WORKER)
    .sort()
    .map((path) => `./${path.split('/').map(encodeURIComponent).join('/')}`);
}

/** The build's version: SHA-256 over each file's URL and contents. */
export function buildVersion(dir, assets) {
  const hash = createHash('sha256');
  for (const asset of assets) {
    const path = join(dir, ...asset.slice(2).split('/').map(decodeURIComponent));
    hash.update(`${asset}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

/** The service worker for the build in `dir`, unminified. */
export function serviceWorkerSource(dir, template = readFileSync(join(here, 'sw.js'), 'utf8')) {
  const assets = precacheList(dir);
  if (!assets.includes('./index.html')) throw new Error(`${dir} has no index.html`);
  return template
    .replace("'__LOOPSCOPE_VERSION__'", JSON.stringify(buildVersion(dir, assets)))
    .replace('__LOOPSCOPE_ASSETS__', JSON.stringify(assets));
}

async function main() {
  const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
  if (!dir) throw new Error('usage: TRUNK_STAGING_DIR=DIR node www/offline/precache.mjs (or pass DIR)');
  const source = serviceWorkerSource(dir);
  const { transform } = await import('esbuild');
  const { code } = await transform(source, { minify: true, target: 'es2020', loader: 'js' });
  writeFileSync(join(dir, SERVICE_WORKER), code);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`precache: ${error.message}`);
    process.exit(1);
  });
}
