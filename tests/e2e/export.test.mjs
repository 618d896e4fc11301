// Export (issue 6): the trace downloads as JSON (byte for byte what the
// CLI's --trace writes for the same program) and in the Trace Event Format
// (the CLI's --chrome-trace), the timeline saves as a PNG, and the console's
// output is copied to the clipboard.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { consoleLines, launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

let server;
let browser;
const scratch = mkdtempSync(join(tmpdir(), 'loopscope-export-'));

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Clicks the button and returns the download it starts: [name, bytes]. */
async function download(page, testId) {
  const [started] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return [started.suggestedFilename(), readFileSync(await started.path())];
}

/** What the native CLI writes for `program` with --trace and --chrome-trace. */
function cliTraces(program) {
  const source = join(scratch, 'program.py');
  writeFileSync(source, program);
  const [trace, chrome] = [join(scratch, 'trace.json'), join(scratch, 'chrome.json')];
  execFileSync(
    process.env.CARGO ?? 'cargo',
    ['run', '-q', '-p', 'loopscope-cli', '--', 'run', source, '--filename', 'main.py', '--trace', trace, '--chrome-trace', chrome],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return [readFileSync(trace, 'utf8'), readFileSync(chrome, 'utf8')];
}

test('the trace downloads as the CLI writes it, as JSON and in the Trace Event Format', async () => {
  const program = readFileSync(join(repoRoot, 'tests', 'lecture', '13_gather_results_order.py'), 'utf8');
  const { page, problems } = await openPage(browser, server.url);
  await runProgram(page, program);
  const [cliTrace, cliChrome] = cliTraces(program);

  const [traceName, trace] = await download(page, 'export-trace');
  assert.equal(traceName, 'loopscope-trace.json');
  const parsed = JSON.parse(trace.toString('utf8'));
  assert.ok(Array.isArray(parsed.events) && parsed.events.length > 10, Object.keys(parsed).join(' '));
  assert.equal(trace.toString('utf8'), cliTrace);

  const [chromeName, chrome] = await download(page, 'export-chrome-trace');
  assert.equal(chromeName, 'loopscope-chrome-trace.json');
  const events = JSON.parse(chrome.toString('utf8')).traceEvents;
  assert.ok(Array.isArray(events) && events.length > 10, 'no traceEvents');
  assert.equal(chrome.toString('utf8'), cliChrome);
  assert.deepEqual(problems, []);
});

test('the timeline saves as a PNG', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await runProgram(page, 'import asyncio\n\nasync def main():\n    await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))\n\nasyncio.run(main())\n');
  await page.keyboard.press('End');
  const [name, png] = await download(page, 'export-png');
  assert.equal(name, 'loopscope-timeline.png');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const size = await page.getByTestId('timeline').evaluate((canvas) => [canvas.width, canvas.height]);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], size);
  // Hidden timeline, nothing to save.
  await page.getByTestId('view').selectOption('loop');
  assert.ok(await page.getByTestId('export-png').isDisabled());
  assert.deepEqual(problems, []);
});

test('the output is copied to the clipboard as the console shows it', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  for (const id of ['export-trace', 'export-chrome-trace', 'export-png', 'copy-output']) {
    assert.ok(await page.getByTestId(id).isDisabled(), `${id} enabled before a run`);
  }
  const program = 'import asyncio\n\nasync def main():\n    print("один")\n    await asyncio.sleep(1)\n    print("<b>two</b>")\n    raise ValueError("three")\n\nasyncio.run(main())\n';
  const verdict = await runProgram(page, program);
  assert.equal(verdict.status, 'error');
  await page.keyboard.press('End');
  await page.getByTestId('copy-output').click();
  await page.getByTestId('copy-output').filter({ hasText: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const lines = await consoleLines(page);
  assert.equal(copied, `${lines.join('\n')}\n`);
  assert.ok(copied.startsWith('один\n<b>two</b>\nTraceback (most recent call last):\n'), copied);
  assert.ok(copied.endsWith('ValueError: three\n'), copied);
  assert.deepEqual(problems, []);
});
