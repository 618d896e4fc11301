// The built site served from a sub-path, as a course page would embed it:
// every asset (the worker's too) must load relative to the page, nothing
// from the server root; a gallery example opens and runs there.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { editorText, launchBrowser, openPage, repoRoot, runProgram, saveScreenshot, startServer } from './support.mjs';

const base = '/course/week9/loopscope/';
let server;
let browser;

before(async () => {
  server = await startServer(base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('the site works from a sub-path', async () => {
  assert.ok(server.url.endsWith(base), server.url);
  const { page, problems, responses } = await openPage(browser, server.url);
  const verdict = await runProgram(page, 'import asyncio\nasyncio.run(asyncio.sleep(1))\nprint("ok")\n');
  assert.deepEqual(verdict, { stdout: 'ok\n', status: 'completed', error: null, time: 1.0 });
  const outside = responses.filter((response) => !new URL(response.url()).pathname.startsWith(base));
  assert.deepEqual(outside.map((response) => response.url()), []);
  assert.ok(responses.some((response) => response.url().endsWith('loopscope-worker_bg.wasm')), 'no worker wasm loaded');
  await saveScreenshot(page, 'sub-path.png');
  assert.deepEqual(problems, []);
});

test('the sub-path without its trailing slash redirects to the page', async () => {
  const { page, problems } = await openPage(browser, server.url.replace(/\/$/, ''));
  assert.ok(page.url().endsWith(base), page.url());
  assert.equal((await runProgram(page, 'print(1)\n')).stdout, '1\n');
  assert.deepEqual(problems, []);
});

test('every URL in the built page is relative', () => {
  const html = readFileSync(join(repoRoot, 'dist', 'index.html'), 'utf8');
  const urls = [...html.matchAll(/\b(?:href|src)=["']?([^"'\s>]+)/g)].map((match) => match[1]);
  urls.push(...[...html.matchAll(/from\s*['"]([^'"]+)['"]|module_or_path:\s*['"]([^'"]+)['"]/g)]
    .map((match) => match[1] ?? match[2]));
  assert.ok(urls.length >= 4, urls.join(' '));
  const absolute = urls.filter((url) => !url.startsWith('./') && !url.startsWith('data:'));
  assert.deepEqual(absolute, []);
});

test('a gallery example opens and runs under the sub-path', async () => {
  const { page, problems, responses } = await openPage(browser, `${server.url}?example=gather_results_order`);
  const lecture = (name) => readFileSync(join(repoRoot, 'tests', 'lecture', name), 'utf8');
  assert.equal(await editorText(page), lecture('13_gather_results_order.py'));
  assert.deepEqual(await runProgram(page, null), JSON.parse(lecture('13_gather_results_order.expected.json')));

  // Chosen from the gallery, an example's address stays under the sub-path.
  await page.getByTestId('examples').selectOption('semaphore');
  assert.equal(await editorText(page), lecture('14_semaphore.py'));
  assert.equal(page.url(), `${server.url}?example=semaphore`);
  assert.deepEqual(await runProgram(page, null), JSON.parse(lecture('14_semaphore.expected.json')));
  await page.reload();
  await page.locator('[data-testid=editor] .cm-editor').waitFor();
  assert.equal(await editorText(page), lecture('14_semaphore.py'));

  const outside = responses.filter((response) => !new URL(response.url()).pathname.startsWith(base));
  assert.deepEqual(outside.map((response) => response.url()), []);
  assert.deepEqual(problems, []);
});
