// `cargo xtask bench playback`: on the built site in headless Chromium,
// the time from navigation until a program can be run (the Run button and
// the program in an editor are there) and until CodeMirror is, and the
// frame times while a 1,000-task trace plays
// back at 8×: p50/p95 of each frame's work (from the frame's start until
// the main thread is free again; target: p95 under 16 ms, one frame at
// 60 Hz is 16.7 ms) and of the intervals between frames (16.7 ms at best:
// a frame whose work overruns makes its interval 33 ms), and the main
// thread's CPU time per frame from a Chrome trace (what the wall times
// are on an idle machine; a busy one adds waiting for a core).
//
// LOOPSCOPE_PROFILE=1 also records a CPU profile of the playback (Chrome
// DevTools Protocol) and prints the functions with the most self time: the
// wasm-bindgen glue (`__wbg_fillRect_...`) names each call into the DOM.

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

/**
 * The CPU time (ms, sorted) of each renderer main-thread task that ran
 * animation frames, in a Chrome trace with thread times.
 */
function frameCpuTimes(trace) {
  const events = trace.traceEvents ?? trace;
  const threads = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const onMain = (e) => threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain';
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && onMain(e));
  const frames = events.filter((e) => e.name === 'FireAnimationFrame' && onMain(e)).map((e) => e.ts);
  return tasks
    .filter((task) => frames.some((ts) => ts >= task.ts && ts <= task.ts + task.dur))
    .map((task) => (task.tdur ?? task.dur) / 1000)
    .sort((a, b) => a - b);
}

/** The functions with the most self time in a CDP CPU profile. */
function printProfile(profile) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const intervals = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id).callFrame;
    const name = functionName || `(anonymous ${url.split('/').pop()})`;
    const ms = (intervals[i] ?? 0) / 1000;
    total += ms;
    self.set(name, (self.get(name) ?? 0) + ms);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`CPU profile of the playback (${total.toFixed(0)} ms sampled), most self time:`);
  for (const [name, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  // Who calls the busiest JS functions: the chain of callers, 6 deep.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const chains = new Map();
  profile.samples.forEach((id, i) => {
    const name = byId.get(id).callFrame.functionName;
    if (!name || name.startsWith('(') || !top.slice(0, 6).some(([n]) => n === name)) return;
    const chain = [];
    for (let at = parent.get(id); at !== undefined && chain.length < 6; at = parent.get(at)) {
      chain.push(byId.get(at).callFrame.functionName || '?');
    }
    const key = `${name} <- ${chain.join(' <- ')}`;
    chains.set(key, (chains.get(key) ?? 0) + (intervals[i] ?? 0) / 1000);
  });
  for (const [key, ms] of [...chains.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
  }
}

const server = await startServer('/');
const browser = await launchBrowser();
try {
  // Page loads: when the Run button and an editable program are there
  // (the program may still be in the plain textarea CodeMirror replaces),
  // and when CodeMirror is; recorded in the page by a MutationObserver, so
  // no round trip to the test is counted.
  const runnable = [];
  const codeMirror = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    await context.addInitScript(() => {
      const marks = (window.loopscopeLoadMarks = {});
      new MutationObserver(() => {
        const now = performance.now();
        const editor = document.querySelector('[data-testid=editor] textarea, [data-testid=editor] .cm-editor');
        if (!marks.runnable && editor && document.querySelector('[data-testid=run]')) marks.runnable = now;
        if (!marks.codeMirror && document.querySelector('[data-testid=editor] .cm-editor')) marks.codeMirror = now;
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('[data-testid=editor] .cm-editor').waitFor();
    const marks = await page.evaluate(() => window.loopscopeLoadMarks);
    runnable.push(marks.runnable);
    codeMirror.push(marks.codeMirror);
    await context.close();
  }
  for (const [what, times] of [['a program can be run', runnable], ['the code editor (CodeMirror) is ready', codeMirror]]) {
    times.sort((a, b) => a - b);
    console.log(`page load until ${what}: median ${percentile(times, 50).toFixed(0)} ms (of ${times.map((t) => t.toFixed(0)).join(', ')})`);
  }

  const { page } = await openPage(browser, server.url + codeHash(program));
  const started = Date.now();
  const verdict = await runProgram(page, null, { timeout: 300000 });
  const [, events] = (await page.getByTestId('position').textContent()).split('/').map(Number);
  console.log(`1,000 tasks: run and transfer ${Date.now() - started} ms, ${events} events, status ${verdict.status}`);
  // Pause the automatic playback, then play at 8× from a third of the way in.
  if ((await page.getByTestId('play').textContent()) === 'Pause') await page.getByTestId('play').click();
  await page.getByTestId('speed').selectOption('8');
  await page.getByTestId('scrubber').fill(String(Math.floor(events / 3)));
  const profiling = process.env.LOOPSCOPE_PROFILE === '1';
  const cdp = profiling ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await page.getByTestId('play').click();
  // Per frame: the interval since the last one, and the work it took: from
  // the frame's start (the time every animation-frame callback is given)
  // until the main thread is free again (a message posted during the frame
  // is handled after the frame's callbacks, style, layout and paint).
  const { intervals, work } = await page.evaluate(() => new Promise((resolve) => {
    const starts = [];
    const work = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => work.push(performance.now() - starts[work.length]);
    const tick = (now) => {
      starts.push(now);
      channel.port2.postMessage(0);
      if (starts.length < 301) requestAnimationFrame(tick);
      else setTimeout(() => resolve({
        intervals: starts.slice(1).map((t, i) => t - starts[i]),
        work: work.slice(1),
      }), 100);
    };
    requestAnimationFrame(tick);
  }));
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
  for (const [what, times] of [['frame work', work], ['frame intervals', intervals]]) {
    times.sort((a, b) => a - b);
    console.log(`playback at 8×, ${what} (${times.length} frames): p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
  }

  // The main thread's CPU time per frame, from a Chrome trace of 4 s more
  // of the same playback: on a busy machine the wall times above include
  // waiting for a core, these do not.
  await page.getByTestId('play').click();
  await page.getByTestId('scrubber').fill(String(Math.floor(events / 3)));
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.getByTestId('play').click();
  await page.waitForTimeout(4000);
  const cpu = frameCpuTimes(JSON.parse((await browser.stopTracing()).toString()));
  console.log(`playback at 8×, main-thread CPU per frame (${cpu.length} frames in 4 s): p50 ${percentile(cpu, 50).toFixed(1)} ms, p95 ${percentile(cpu, 95).toFixed(1)} ms, max ${cpu[cpu.length - 1].toFixed(1)} ms`);
} finally {
  await browser.close();
  server.stop();
}
