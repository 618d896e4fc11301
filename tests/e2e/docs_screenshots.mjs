// Screenshots of lecture examples mid-playback for the README (docs/),
// taken on the built site: `cargo xtask build && node tests/e2e/docs_screenshots.mjs`.
// Not a test (node --test does not pick it up); run by hand when the page changes.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeHash, launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

// [lecture program, file, share of the events to stop at]
const shots = [
  ['12_gather_factorials', 'gather.png', 0.45],
  ['14_semaphore', 'semaphore.png', 0.35],
  ['18_wait_for_timeout', 'timeout.png', 0.4],
  ['20_cancel_task', 'cancellation.png', 0.5],
  ['03_gen_coroutine_decorator', 'generators.png', 0.55],
  ['28_aiohttp_semaphore', 'network.png', 0.3],
];

const server = await startServer('/');
const browser = await launchBrowser();
const dir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(dir, { recursive: true });
try {
  for (const [name, file, share] of shots) {
    const source = readFileSync(join(repoRoot, 'tests', 'lecture', `${name}.py`), 'utf8');
    const { page } = await openPage(browser, server.url + codeHash(source), { viewport: { width: 1280, height: 900 } });
    await runProgram(page, null);
    await page.getByTestId('play').click();
    const events = Number((await page.getByTestId('position').textContent()).split('/')[1]);
    await page.getByTestId('scrubber').fill(String(Math.round(events * share)));
    await page.screenshot({ path: join(dir, file) });
    await page.context().close();
    console.log(`docs/screenshots/${file}`);
  }
} finally {
  await browser.close();
  server.stop();
}
