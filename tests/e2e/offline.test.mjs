// Offline use (issue 6): after one visit the service worker (www/offline/sw.js,
// written into the build by a Trunk post-build hook) has cached every asset
// of the build, so the page reloads and runs a program with no network; a new
// deployment installs the new version and removes the old cache.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { precacheList, serviceWorkerSource } from '../../www/offline/precache.mjs';
import { launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

const base = '/course/offline/';
const dist = join(repoRoot, 'dist');
let browser;
const cleanups = [];

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const cleanup of cleanups) cleanup();
});

/** Waits until the page is controlled by an activated service worker. */
async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((resolve) => setTimeout(resolve, 50));
  });
}

/** This origin's cache names and, for each, the URLs it holds. */
function cacheContents(page) {
  return page.evaluate(async () => {
    const contents = {};
    for (const name of await caches.keys()) {
      contents[name] = (await (await caches.open(name)).keys()).map((request) => request.url).sort();
    }
    return contents;
  });
}

test('the built service worker precaches every file of the build under a content version', () => {
  const assets = precacheList(dist);
  assert.ok(assets.includes('./index.html') && assets.includes('./loopscope-worker_bg.wasm'), assets.join(' '));
  assert.ok(assets.some((asset) => /^\.\/loopscope-web-[0-9a-f]+_bg\.wasm$/.test(asset)), assets.join(' '));
  assert.ok(!assets.includes('./sw.js'));
  const built = readFileSync(join(dist, 'sw.js'), 'utf8');
  assert.ok(built.includes(JSON.stringify(assets)), 'sw.js lists another build');
  const version = serviceWorkerSource(dist).match(/const VERSION = "([0-9a-f]{20})"/)?.[1];
  assert.ok(version && built.includes(JSON.stringify(version)), 'sw.js has another version');
});

test('after one visit the page reloads and runs a program offline', async () => {
  const server = await startServer(base);
  const { page, problems } = await openPage(browser, `${server.url}?example=semaphore`);
  await controlled(page);
  const names = Object.keys(await cacheContents(page));
  assert.equal(names.length, 1, names.join(', '));
  assert.ok(names[0].startsWith(`loopscope ${server.url} `), names[0]);
  const cached = (await cacheContents(page))[names[0]];
  assert.deepEqual(cached, precacheList(dist).map((asset) => new URL(asset, server.url).href).sort());

  server.stop();
  await page.context().setOffline(true);
  const served = [];
  page.on('response', (response) => served.push([response.url(), response.fromServiceWorker()]));
  await page.reload();
  await page.locator('[data-testid=editor] .cm-editor').waitFor();
  assert.match(await page.getByTestId('example-note').textContent(), /Semaphore/);
  const verdict = await runProgram(page, 'import asyncio\n\nasync def main():\n    await asyncio.sleep(2)\n    print("offline")\n\nasyncio.run(main())\n');
  assert.deepEqual(verdict, { stdout: 'offline\n', status: 'completed', error: null, time: 2.0 });
  const worker = served.find(([url]) => url.endsWith('/loopscope-worker_bg.wasm'));
  assert.deepEqual(worker?.[1], true, JSON.stringify(served));
  assert.ok(served.every(([, fromServiceWorker]) => fromServiceWorker), JSON.stringify(served));
  assert.deepEqual(problems, []);
});

test('a new deployment replaces the old version and its cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loopscope-offline-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(dist, dir, { recursive: true });
  const server = await startServer(base, { dir });
  cleanups.push(() => server.stop());
  const { page, problems } = await openPage(browser, server.url);
  await controlled(page);
  const [oldCache] = Object.keys(await cacheContents(page));

  // Deploy a new build: one asset changes, and with it the service worker.
  const marker = '\n// the next deployment\n';
  writeFileSync(join(dir, 'editor.js'), readFileSync(join(dir, 'editor.js'), 'utf8') + marker);
  writeFileSync(join(dir, 'sw.js'), serviceWorkerSource(dir));

  // The reload finds the new service worker (browsers check for one on each
  // navigation), which installs, activates and deletes the old cache.
  await page.reload();
  await page.evaluate(async (old) => {
    for (;;) {
      const names = await caches.keys();
      if (names.length === 1 && names[0] !== old) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, oldCache);
  const [newCache] = Object.keys(await cacheContents(page));
  assert.equal(newCache.split(' ')[1], oldCache.split(' ')[1]);
  await page.reload();
  await page.locator('[data-testid=editor] .cm-editor').waitFor();
  const editorScript = await page.evaluate(() => fetch('./editor.js').then((response) => response.text()));
  assert.ok(editorScript.endsWith(marker), 'the new version is not the one served');
  assert.equal((await runProgram(page, 'print("new")\n')).stdout, 'new\n');
  assert.deepEqual(problems, []);
});
