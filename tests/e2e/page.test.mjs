// The built site at the root of a server, in Chromium: type a program, Run,
// read the result and the chart; then a syntax error with its line.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  launchBrowser, openPage, pixelsPerKind, runProgram, saveScreenshot, startServer,
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

const program = `import asyncio


async def worker(name, delay):
    await asyncio.sleep(delay)
    return name


class Scoreboard:
    def __init__(self):
        self.done = []

    def record(self, name):
        self.done.append(name)


asyncio.run(worker("a", 1))
`;

test('a program parses in the browser and its statements are charted', async () => {
  const { page, problems, responses } = await openPage(browser, server.url);
  assert.equal(await page.title(), 'Loopscope');
  assert.equal(await page.getByTestId('result').textContent(), 'Press Run to parse the program.');
  assert.deepEqual(await pixelsPerKind(page), { function: 0, class: 0, other: 0 });

  assert.equal(await runProgram(page, program), '4 statements');
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid=canvas]');
    return canvas.getAttribute('aria-label').includes('1 × class definition');
  });
  const pixels = await pixelsPerKind(page);
  assert.ok(pixels.function > 0, `no function bar: ${JSON.stringify(pixels)}`);
  assert.ok(pixels.class > 0, `no class bar: ${JSON.stringify(pixels)}`);
  assert.ok(pixels.other > 0, `no bars for other statements: ${JSON.stringify(pixels)}`);
  // The class spans 6 lines, the function 3: its bar is about twice as tall.
  assert.ok(pixels.class > 1.5 * pixels.function, JSON.stringify(pixels));

  const wasm = responses.find((response) => response.url().endsWith('.wasm'));
  assert.equal(wasm?.headers()['content-type'], 'application/wasm');
  const script = responses.find((response) => response.url().endsWith('.js'));
  assert.match(script?.headers()['content-type'] ?? '', /^text\/javascript/);

  await saveScreenshot(page, 'valid-program.png');
  assert.deepEqual(problems, []);
});

test('a syntax error is reported with its line and column', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const result = await runProgram(page, 'async def main():\n    await asyncio.sleep(1)\n\nx = = 2\n');
  assert.match(result, /^SyntaxError: invalid syntax \(line 4, column \d+\)$/);
  assert.match(await page.getByTestId('result').getAttribute('class'), /result-error/);
  assert.deepEqual(await pixelsPerKind(page), { function: 0, class: 0, other: 0 });
  await saveScreenshot(page, 'syntax-error.png');
  assert.deepEqual(problems, []);
});

test('a dark, HiDPI screen gets dark colours and a canvas at device resolution', async () => {
  const { page, problems } = await openPage(browser, server.url, {
    colorScheme: 'dark',
    deviceScaleFactor: 2,
  });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(21, 23, 27)');
  assert.equal(await runProgram(page, 'x = 1\n'), '1 statement');
  const canvas = await page.getByTestId('canvas').evaluate((element) => ({
    width: element.width,
    height: element.height,
    cssWidth: element.clientWidth,
    cssHeight: element.clientHeight,
  }));
  assert.equal(canvas.width, 2 * canvas.cssWidth);
  assert.equal(canvas.height, 2 * canvas.cssHeight);
  assert.ok((await pixelsPerKind(page)).other > 0, 'no bar drawn');
  await saveScreenshot(page, 'dark-scheme.png');
  assert.deepEqual(problems, []);
});
