// The built site served from a sub-path, as a course page would embed it:
// every asset (the worker's too) must load relative to the page, nothing
// from the server root.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, runProgram, saveScreenshot, startServer } from './support.mjs';

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
