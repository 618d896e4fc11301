// `cargo xtask bench playback`: on the built site in headless Chromium,
// the time from navigation until a program can be run (the Run button and
// the editor are there), and the frame times while a 1,000-task trace plays
// back at 8× (p50/p95 of the intervals between animation frames; target:
// p95 under 16 ms... one frame at 60 Hz is 16.7 ms).

import { codeHash, launchBrowser, openPage, runProgram, startServer } from './support.mjs';

const program = `import asyncio
import random

random.seed(1)


async def worker(i, gate):
    async with gate:
        await asyncio.sleep(random.random())
    return i


async def main():
    gate = asyncio.Semaphore(50)
    results = await asyncio.gather(*(worker(i, gate) for i in range(1000)))
    print(len(results))


asyncio.run(main())
`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const server = await startServer('/');
const browser = await launchBrowser();
try {
  const loads = [];
  for (let i = 0; i < 5; i++) {
    const { page } = await openPage(browser, server.url);
    loads.push(await page.evaluate(() => performance.now()));
    await page.context().close();
  }
  loads.sort((a, b) => a - b);
  console.log(`page load until a program can be run: median ${percentile(loads, 50).toFixed(0)} ms (of ${loads.map((t) => t.toFixed(0)).join(', ')})`);

  const { page } = await openPage(browser, server.url + codeHash(program));
  const started = Date.now();
  const verdict = await runProgram(page, null, { timeout: 300000 });
  const [, events] = (await page.getByTestId('position').textContent()).split('/').map(Number);
  console.log(`1,000 tasks: run and transfer ${Date.now() - started} ms, ${events} events, status ${verdict.status}`);
  // Pause the automatic playback, then play at 8× from a third of the way in.
  if ((await page.getByTestId('play').textContent()) === 'Pause') await page.getByTestId('play').click();
  await page.getByTestId('speed').selectOption('8');
  await page.getByTestId('scrubber').fill(String(Math.floor(events / 3)));
  await page.getByTestId('play').click();
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const times = [];
    const tick = (now) => {
      times.push(now);
      if (times.length < 301) requestAnimationFrame(tick);
      else resolve(times.slice(1).map((t, i) => t - times[i]));
    };
    requestAnimationFrame(tick);
  }));
  frames.sort((a, b) => a - b);
  console.log(`playback at 8× (${frames.length} frames): p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${frames[frames.length - 1].toFixed(1)} ms`);
} finally {
  await browser.close();
  server.stop();
}
