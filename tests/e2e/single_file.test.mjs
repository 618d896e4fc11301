// The single-file build (issue 6): `cargo xtask dist --single-file` writes
// one HTML file with everything inlined; opened from disk (file://) with no
// server it runs a lecture program and gives CPython's verdict.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { consoleLines, editorText, launchBrowser, openPage, repoRoot, runProgram } from './support.mjs';

const singleFile = join(repoRoot, 'dist-single', 'loopscope.html');
let browser;

before(async () => {
  // From the site just built (dist/), as `cargo xtask test` leaves it.
  const cargo = process.env.CARGO ?? 'cargo';
  execFileSync(cargo, ['xtask', 'dist', '--single-file', '--no-build'], { cwd: repoRoot, stdio: 'inherit' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const lecture = (name) => readFileSync(join(repoRoot, 'tests', 'lecture', name), 'utf8');

test('the single file refers to no other file', () => {
  assert.ok(existsSync(singleFile));
  const html = readFileSync(singleFile, 'utf8');
  assert.equal(html.match(/\b(?:src|href)=["']?\.\//), null);
  assert.ok(!html.includes('serviceWorker'), 'the service worker is registered');
});

test('opened from file:// it runs a lecture program with no server', async () => {
  const url = `${pathToFileURL(singleFile).href}?example=gather_results_order`;
  const { page, problems, responses } = await openPage(browser, url);
  assert.equal(await editorText(page), lecture('13_gather_results_order.py'));
  const verdict = await runProgram(page, null);
  assert.deepEqual(verdict, JSON.parse(lecture('13_gather_results_order.expected.json')));
  await page.getByTestId('play').click();
  await page.keyboard.press('End');
  assert.deepEqual(await consoleLines(page), verdict.stdout.trimEnd().split('\n'));
  // Nothing was fetched but the file itself (and blob: URLs it made).
  const fetched = responses.map((response) => response.url()).filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(fetched.map((u) => u.split('?')[0]), [pathToFileURL(singleFile).href]);
  assert.deepEqual(problems, []);
});

test('a second run after Stop starts a fresh worker from the inlined copy', async () => {
  const { page, problems } = await openPage(browser, pathToFileURL(singleFile).href);
  await page.getByTestId('editor').evaluate((element) => element.loopscopeEditor.setText('while True:\n    pass\n'));
  await page.getByTestId('run').click();
  await page.getByTestId('stop').click();
  const verdict = await runProgram(page, lecture('14_semaphore.py'));
  assert.deepEqual(verdict, JSON.parse(lecture('14_semaphore.expected.json')));
  assert.deepEqual(problems, []);
});
