// The visualizer in Chromium, on the built site: a lecture program loaded
// from the address, run in the worker, its verdict and console checked
// against CPython's, the canvases drawn, playback stepped back and forth;
// syntax errors marked in the editor; Stop on an endless loop; deep
// recursion ending as RecursionError; dark HiDPI and a phone-sized screen.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  codeHash, consoleLines, editorText, inkedPixels, launchBrowser, openPage, position, repoRoot,
  runProgram, saveScreenshot, startServer,
} from './support.mjs';

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

function lecture(name) {
  const dir = join(repoRoot, 'tests', 'lecture');
  return {
    source: readFileSync(join(dir, `${name}.py`), 'utf8'),
    expected: JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')),
  };
}

test('a lecture program from the address runs, plays back and draws', async () => {
  const { source, expected } = lecture('14_semaphore');
  const { page, problems } = await openPage(browser, server.url + codeHash(source));
  // Loaded, not run.
  assert.equal(await editorText(page), source);
  assert.equal(await page.getByTestId('verdict').count(), 0);

  const verdict = await runProgram(page, null);
  assert.deepEqual(verdict, expected);
  // Its verdict text is exactly the CLI's --json line.
  assert.equal(
    await page.getByTestId('verdict').textContent(),
    `{"stdout": ${JSON.stringify(expected.stdout)}, "status": "completed", "error": null, "time": ${expected.time.toFixed(1)}}`,
  );

  // Playback starts by itself; pause it and jump to the end.
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').textContent === 'Pause');
  await page.getByTestId('play').click();
  await page.keyboard.press('End');
  const [end, events] = await position(page);
  assert.ok(events > 100, `only ${events} events`);
  assert.equal(end, events);
  assert.deepEqual(await consoleLines(page), expected.stdout.split('\n').slice(0, -1));
  assert.ok((await inkedPixels(page, 'loop-view')) > 1000, 'the loop view is blank');
  assert.ok((await inkedPixels(page, 'timeline')) > 1000, 'the timeline is blank');
  const rows = await page.locator('[data-testid=task-table] tbody tr').count();
  assert.ok(rows >= 10, `${rows} task rows`);

  // Back to the start: nothing printed yet. Then step by step.
  await page.keyboard.press('Home');
  assert.deepEqual(await position(page), [0, events]);
  assert.deepEqual(await consoleLines(page), []);
  await page.getByTestId('step-forward').click();
  await page.keyboard.press('ArrowRight');
  assert.equal((await position(page))[0], 2);
  await page.getByTestId('step-back').click();
  assert.equal((await position(page))[0], 1);

  // The middle of the run, by the scrubber: tasks wait on the semaphore.
  await page.getByTestId('scrubber').fill(String(Math.floor(events / 3)));
  assert.equal((await position(page))[0], Math.floor(events / 3));
  const states = await page.locator('[data-testid=task-table] tbody td.state').allTextContents();
  assert.ok(states.some((state) => state.startsWith('waiting')), states.join(', '));
  await saveScreenshot(page, 'semaphore-mid-playback.png');

  // Clicking a console line jumps to its moment.
  await page.keyboard.press('End');
  await page.locator('[data-testid=console] li').first().click();
  const [moment] = await position(page);
  assert.ok(moment > 0 && moment < events, `jumped to ${moment}`);
  assert.equal((await consoleLines(page)).length, 1);
  assert.deepEqual(problems, []);
});

test('a syntax error is marked in the editor and the last trace stays', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const first = await runProgram(page, 'import asyncio\nasyncio.run(asyncio.sleep(2))\nprint("done")\n');
  assert.equal(first.status, 'completed');
  const [, events] = await position(page);
  const verdict = await runProgram(page, 'async def main():\n    await asyncio.sleep(1)\n\nx = = 2\n');
  assert.equal(verdict.status, 'error');
  assert.match(verdict.error, /^SyntaxError: invalid syntax/);
  const marked = page.locator('.cm-error-line');
  await marked.waitFor();
  assert.equal(await marked.textContent(), 'x = = 2');
  assert.match(await page.getByTestId('status').textContent(), /SyntaxError/);
  assert.equal((await position(page))[1], events, 'the last trace was dropped');
  await saveScreenshot(page, 'syntax-error.png');
  // A good run clears the mark.
  await runProgram(page, 'print(1)\n');
  assert.equal(await page.locator('.cm-error-line').count(), 0);
  assert.deepEqual(problems, []);
});

test('Stop ends an endless program and the next run works', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByTestId('editor').evaluate((element) => element.loopscopeEditor.setText('while True:\n    pass\n'));
  await page.getByTestId('run').click();
  await page.waitForTimeout(1500);
  // The page is not frozen: it still answers while the worker runs.
  assert.match(await page.getByTestId('status').textContent(), /^Running/);
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  await page.getByTestId('stop').click();
  assert.equal(await page.getByTestId('status').textContent(), 'Stopped.');
  const verdict = await runProgram(page, 'print("again")\n');
  assert.equal(verdict.stdout, 'again\n');
  assert.deepEqual(problems, []);
});

test('deep recursion ends as RecursionError, not a stack overflow', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const endless = await runProgram(page, 'def f(n):\n    return f(n + 1)\n\nf(0)\n');
  assert.equal(endless.status, 'error');
  assert.equal(endless.error, 'RecursionError: maximum recursion depth exceeded');
  // The browser's limit is smaller than CPython's (V8's stack, see
  // crates/loopscope-worker): setrecursionlimit is capped there.
  const deep = await runProgram(
    page,
    'import sys\nsys.setrecursionlimit(3000)\nprint(sys.getrecursionlimit())\n\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\n\nprint(depth(250))\n',
  );
  assert.deepEqual(deep, { stdout: '300\n250\n', status: 'completed', error: null, time: 0.0 });
  // Through __repr__ (natives in between use more stack per level).
  const nested = await runProgram(
    page,
    "class N:\n    def __init__(self, c):\n        self.c = c\n    def __repr__(self):\n        return repr(self.c)\n\nx = None\nfor i in range(5000):\n    x = N(x)\nprint(repr(x))\n",
  );
  assert.equal(nested.status, 'error');
  assert.match(nested.error, /^RecursionError/);
  const coroutines = await runProgram(
    page,
    'import asyncio\n\nasync def down(n):\n    return 0 if n == 0 else 1 + await down(n - 1)\n\nprint(asyncio.run(down(5000)))\n',
  );
  assert.equal(coroutines.status, 'error');
  assert.match(coroutines.error, /^RecursionError/);
  assert.deepEqual(problems, []);
});

test('a dark HiDPI screen gets dark colours and sharp canvases', async () => {
  const { page, problems } = await openPage(browser, server.url, { colorScheme: 'dark', deviceScaleFactor: 2 });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(21, 23, 27)');
  await runProgram(page, lecture('12_gather_factorials').source);
  for (const id of ['loop-view', 'timeline']) {
    const size = await page.getByTestId(id).evaluate((canvas) => ({
      width: canvas.width, cssWidth: canvas.clientWidth, height: canvas.height, cssHeight: canvas.clientHeight,
    }));
    assert.equal(size.width, 2 * size.cssWidth, id);
    assert.equal(size.height, 2 * size.cssHeight, id);
  }
  await page.waitForTimeout(1500);
  await saveScreenshot(page, 'gather-dark-hidpi.png');
  assert.deepEqual(problems, []);
});

test('a phone-sized screen gets one column that fits', async () => {
  const { page, problems } = await openPage(browser, server.url, { viewport: { width: 360, height: 740 } });
  await runProgram(page, lecture('20_cancel_task').source);
  await page.keyboard.press('End');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px too wide`);
  assert.ok((await inkedPixels(page, 'loop-view')) > 500);
  await saveScreenshot(page, 'cancel-phone.png');
  assert.deepEqual(problems, []);
});

test('a plain generator program is animated: its lane, states and the values passed', async () => {
  const { source, expected } = lecture('01_gen_calc_history');
  const { page, problems } = await openPage(browser, server.url + codeHash(source));
  const verdict = await runProgram(page, null);
  assert.deepEqual(verdict, expected);
  // No virtual time passes: the timeline counts steps.
  assert.equal(await page.getByTestId('axis').textContent(), 'step axis');
  await page.keyboard.press('End');
  const row = page.locator('[data-testid=generator-table] tbody tr');
  assert.equal(await row.count(), 1);
  assert.deepEqual(await row.locator('td').allTextContents(), ['calc generator', 'closed', '', 'close()', 'closed']);
  // Just after `c.send(1)`: the generator runs, 1 went in, None came out last.
  await page.keyboard.press('Home');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  assert.deepEqual(await row.locator('td').allTextContents(), ['calc generator', 'running', '', 'send(1)', 'yield None']);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await row.locator('td').allTextContents(), ['calc generator', 'suspended', '4', 'send(1)', 'yield None']);
  assert.deepEqual(await consoleLines(page), ['1']);
  // The editor marks the line the generator is suspended at.
  await page.waitForFunction(() => document.querySelector('.cm-task-line')?.textContent === '        x = yield');
  assert.ok((await inkedPixels(page, 'loop-view')) > 1000, 'the loop view is blank');
  assert.ok((await inkedPixels(page, 'timeline')) > 1000, 'the timeline is blank');
  await saveScreenshot(page, 'generator-mid-playback.png');
  assert.deepEqual(problems, []);
});

test("a traceback's lines link to the editor, and the status names the error's line", async () => {
  const { page, problems } = await openPage(browser, server.url);
  const verdict = await runProgram(page, 'def f(x):\n    return 1 / x\n\nprint("a")\nf(0)\n');
  assert.equal(verdict.status, 'error');
  assert.equal(verdict.error, 'ZeroDivisionError: division by zero');
  await page.keyboard.press('End');
  assert.deepEqual(await consoleLines(page), [
    'a',
    'Traceback (most recent call last):',
    '  File "main.py", line 5, in <module>',
    '    f(0)',
    '  File "main.py", line 2, in f',
    '    return 1 / x',
    '           ~~^~~',
    'ZeroDivisionError: division by zero',
  ]);
  const links = page.locator('[data-testid=console] .code-link');
  assert.deepEqual(await links.allTextContents(), ['line 5', 'line 2']);
  await links.first().click();
  assert.equal(await page.locator('.cm-shown-line').textContent(), 'f(0)');
  // The status: a friendly word, the error, and a link to its line.
  assert.match(await page.getByTestId('status').textContent(), /^✗ error .* ZeroDivisionError: division by zero line 2$/);
  await page.getByTestId('error-line').click();
  assert.equal(await page.locator('.cm-shown-line').textContent(), '    return 1 / x');
  assert.deepEqual(problems, []);
});

test('the program runs from the plain editor the page opens with, before CodeMirror is there', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  // CodeMirror never arrives: the textarea the page paints first stays.
  await context.route('**/editor.js', (route) => route.abort());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url + codeHash('print("from the textarea")\n'));
  const textarea = page.locator('[data-testid=editor] textarea');
  assert.equal(await textarea.inputValue(), 'print("from the textarea")\n');
  await textarea.fill('print(6 * 7)\n');
  await textarea.press('Control+Enter');
  const verdict = page.locator('[data-testid=verdict][data-run="1"]');
  await verdict.waitFor({ state: 'attached', timeout: 60000 });
  assert.deepEqual(JSON.parse(await verdict.textContent()), { stdout: '42\n', status: 'completed', error: null, time: 0.0 });
  assert.equal(await page.locator('.cm-editor').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
