// The built site served from a sub-path, as a course page would embed it:
// every asset must load relative to the page, nothing from the server root.

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
  assert.equal(await runProgram(page, 'import asyncio\nasyncio.run(main())\n'), '2 statements');
  const outside = responses.filter((response) => !new URL(response.url()).pathname.startsWith(base));
  assert.deepEqual(outside.map((response) => response.url()), []);
  assert.ok(responses.some((response) => response.url().endsWith('.wasm')), 'no wasm loaded');
  await saveScreenshot(page, 'sub-path.png');
  assert.deepEqual(problems, []);
});

test('the sub-path without its trailing slash redirects to the page', async () => {
  const { page, problems } = await openPage(browser, server.url.replace(/\/$/, ''));
  assert.ok(page.url().endsWith(base), page.url());
  assert.equal(await runProgram(page, 'print(1)\n'), '1 statement');
  assert.deepEqual(problems, []);
});
