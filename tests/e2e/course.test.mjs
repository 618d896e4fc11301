// The course features (issue 6, first slice): the gallery (every example
// runs and gets its expected verdict; ?example=<id> opens one), share
// links (#v=1&z=<raw DEFLATE, base64url>) round-trip, a malformed link
// says so and opens the default example, and embed mode (?embed=1) tells
// its parent page its height.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { editorText, launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

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

const testsDir = join(repoRoot, 'tests');
const source = (file) => readFileSync(join(testsDir, `${file}.py`), 'utf8');
const expected = (file) => JSON.parse(readFileSync(join(testsDir, `${file}.expected.json`), 'utf8'));
const DEFAULT_EXAMPLE = 'lecture/10_say_after_create_task';

test('?example= opens a gallery example with its note, and it runs', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?example=gather_results_order`);
  assert.equal(await editorText(page), source('lecture/13_gather_results_order'));
  const note = await page.getByTestId('example-note').textContent();
  assert.match(note, /lecture's printed output is not what CPython prints/);
  assert.deepEqual(await runProgram(page, null), expected('lecture/13_gather_results_order'));

  const russian = (await openPage(browser, `${server.url}?example=deadlock&lang=ru`)).page;
  assert.match(await russian.getByTestId('example-note').textContent(), /Взаимная блокировка/);
  assert.equal(await russian.evaluate(() => document.documentElement.lang), 'ru');
  assert.deepEqual(problems, []);
});

test('every gallery example runs and gets its expected verdict', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const select = page.getByTestId('examples');
  const options = await select.locator('option[data-file]').evaluateAll((nodes) =>
    nodes.map((node) => ({ id: node.value, file: node.dataset.file, group: node.parentElement.label })));
  assert.ok(options.length >= 35, `${options.length} examples`);
  assert.equal(new Set(options.map((o) => o.group)).size, 11);
  const mismatches = [];
  for (const { id, file } of options) {
    await select.selectOption(id);
    assert.equal(await editorText(page), source(file), id);
    assert.ok(page.url().endsWith(`?example=${id}`), page.url());
    const verdict = await runProgram(page, null);
    try {
      assert.deepEqual(verdict, expected(file));
    } catch {
      mismatches.push(`${id}: ${JSON.stringify(verdict)}`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.deepEqual(problems, []);
});

test('a share link round-trips the program, the seed and the view', async () => {
  const program = 'import asyncio\nimport random\n\nasync def main():\n    await asyncio.sleep(1)\n    print("привет", random.randint(1, 100))\n\nasyncio.run(main())\n';
  const { page, problems } = await openPage(browser, `${server.url}?example=deadlock`);
  await page.getByTestId('editor').evaluate((element, text) => element.loopscopeEditor.setText(text), program);
  await page.getByLabel('Seed').fill('5');
  await page.getByLabel('Seed').dispatchEvent('change');
  await page.getByTestId('view').selectOption('timeline');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.equal(page.url(), link);
  const hash = new URL(link).hash;
  assert.match(hash, /^#v=1&z=[A-Za-z0-9_-]+&seed=5&view=timeline$/);
  assert.ok(!new URL(link).search.includes('example='), link);
  const z = new URLSearchParams(hash.slice(1)).get('z');
  assert.equal(inflateRawSync(Buffer.from(z, 'base64url')).toString('utf8'), program);

  const opened = (await openPage(browser, link)).page;
  assert.equal(await editorText(opened), program);
  assert.equal(await opened.getByLabel('Seed').inputValue(), '5');
  assert.equal(await opened.getByTestId('view').inputValue(), 'timeline');
  assert.equal(await opened.getByTestId('loop-view').count(), 0);
  assert.equal(await opened.getByTestId('example-note').count(), 0);
  const there = await runProgram(opened, null);
  const here = await runProgram(page, null);
  assert.equal(there.status, 'completed');
  assert.deepEqual(there, here);
  assert.deepEqual(problems, []);
});

test('a malformed link shows a clear message and opens the default example', async () => {
  for (const hash of ['#v=1&z=@@@', '#v=1&z=AAAA', '#v=9&z=AAAA', '#code=A']) {
    const { page, problems } = await openPage(browser, server.url + hash);
    const message = await page.getByTestId('link-error').textContent();
    assert.match(message, /^This link could not be opened: .+\. The default example is open instead\./, hash);
    assert.equal(await editorText(page), source(DEFAULT_EXAMPLE), hash);
    assert.deepEqual(problems, []);
  }
  // The message is text: markup in the link is shown, never parsed.
  const { page } = await openPage(browser, `${server.url}?example=<img src=x onerror=alert(1)>`);
  assert.match(await page.getByTestId('link-error').textContent(), /<img src=x/);
  assert.equal(await page.locator('img').count(), 0);
});

test('embed mode: no header, its options, and it posts its height to the parent', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const parent = await context.newPage();
  const problems = [];
  parent.on('pageerror', (error) => problems.push(error.message));
  await parent.setContent('<!doctype html><body style="margin:0"></body>');
  await parent.evaluate((src) => {
    window.messages = [];
    window.addEventListener('message', (event) => window.messages.push(event.data));
    const frame = document.createElement('iframe');
    frame.src = src;
    frame.style.cssText = 'width: 800px; height: 400px; border: 0';
    document.body.append(frame);
  }, `${server.url}?embed=1&autoplay=1&speed=4&view=timeline&lang=ru&example=gather_factorials`);
  await parent.waitForFunction(() => window.messages.some((m) => m && m.type === 'loopscope:resize'));
  const frame = parent.frameLocator('iframe');
  // autoplay: it runs by itself and gets the expected verdict.
  const verdict = frame.locator('[data-testid=verdict][data-run="1"]');
  await verdict.waitFor({ state: 'attached', timeout: 60000 });
  assert.deepEqual(JSON.parse(await verdict.textContent()), expected('lecture/12_gather_factorials'));
  assert.equal(await frame.locator('.masthead').count(), 0);
  assert.equal(await frame.getByTestId('speed').inputValue(), '4');
  assert.equal(await frame.getByTestId('loop-view').count(), 0);
  assert.equal(await frame.getByTestId('timeline').count(), 1);
  assert.match(await frame.getByTestId('example-note').textContent(), /три факториала/);
  // The last height posted is the page's height now.
  const height = await frame.locator('body').evaluate((body) => body.offsetHeight);
  await parent.waitForFunction(
    (h) => window.messages.filter((m) => m.type === 'loopscope:resize').at(-1)?.height === h,
    height,
  );
  const messages = await parent.evaluate(() => window.messages);
  for (const message of messages) {
    assert.deepEqual(Object.keys(message).sort(), ['height', 'type']);
    assert.ok(message.height > 100, JSON.stringify(message));
  }
  assert.deepEqual(problems, []);
  await context.close();
});
