// The wasm build gives the native CLI's verdict (CPython's, which the
// corpus records and the CLI matches) for every lecture program, run in
// the page's worker in headless Chromium.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer('/');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('every lecture program gets the CLI verdict in the browser', async () => {
  const dir = join(repoRoot, 'tests', 'lecture');
  const programs = readdirSync(dir).filter((name) => name.endsWith('.py')).sort();
  assert.ok(programs.length >= 29, `${programs.length} lecture programs`);
  const { page, problems } = await openPage(browser, server.url);
  const mismatches = [];
  for (const name of programs) {
    const source = readFileSync(join(dir, name), 'utf8');
    const expected = JSON.parse(readFileSync(join(dir, name.replace(/\.py$/, '.expected.json')), 'utf8'));
    const verdict = await runProgram(page, source);
    try {
      assert.deepEqual(verdict, expected);
    } catch {
      mismatches.push(`${name}: ${JSON.stringify(verdict)}`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.deepEqual(problems, []);
});
