// Languages, keyboard and accessibility (issue 6, part 3): the interface in
// Russian and English (navigator.languages, ?lang=, the switch, remembered),
// keyboard-only use with the help dialog, the text view of the trace,
// prefers-reduced-motion, and axe-core (pinned in package.json) finding no
// serious or critical violation in the light and dark themes.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gotoSettled, launchBrowser, openPage, position, repoRoot, runProgram, startServer } from './support.mjs';

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

const axePath = join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  assert.ok(results.passes.length > 10, 'axe-core checked nothing');
  if (process.env.LOOPSCOPE_AXE_ALL) console.log(results.violations.map((v) => `${v.impact} ${v.id}`));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const label = (page, testId) => page.getByTestId(testId).textContent();

test('?lang=ru shows the interface in Russian, the switch toggles it and is remembered', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?lang=ru`);
  assert.equal(await label(page, 'run'), 'Запустить');
  assert.equal(await label(page, 'stop'), 'Остановить');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
  assert.equal(await page.getByTestId('examples').getAttribute('aria-label'), 'Примеры');
  assert.match(await label(page, 'status'), /Нажмите «Запустить»/);
  const verdict = await runProgram(page, 'import asyncio\nasync def main():\n    await asyncio.sleep(1)\n    print("hi")\nasyncio.run(main())\n');
  // The verdict stays the CLI's JSON, untranslated.
  assert.deepEqual(verdict, { stdout: 'hi\n', status: 'completed', error: null, time: 1.0 });
  assert.match(await label(page, 'status'), /^✓ завершена · 1\.0 с виртуального времени/);
  assert.match(await page.locator('[data-testid=task-table] th').first().textContent(), /задача/);
  assert.match(await page.getByTestId('loop-view').getAttribute('aria-label'), /^Цикл событий на/);

  // The switch: to English at once (status, table, canvases' labels) ...
  await page.getByTestId('lang').selectOption('en');
  assert.equal(await label(page, 'run'), 'Run');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await label(page, 'status'), /^✓ completed · 1\.0 s of virtual time/);
  assert.match(await page.getByTestId('loop-view').getAttribute('aria-label'), /^The event loop at/);
  // ... and back; remembered for the next visit without ?lang=.
  await page.getByTestId('lang').selectOption('ru');
  assert.equal(await label(page, 'run'), 'Запустить');
  await gotoSettled(page, server.url);
  assert.equal(await label(page, 'run'), 'Запустить');
  // ?lang= wins over the remembered choice: an English embed.
  await gotoSettled(page, `${server.url}?embed=1&lang=en`);
  assert.equal(await label(page, 'run'), 'Run');
  assert.equal(await page.locator('header').count(), 0);
  assert.deepEqual(problems, []);
});

test('the browser\'s languages choose the interface\'s', async () => {
  for (const [locale, run] of [['ru-RU', 'Запустить'], ['en-GB', 'Run'], ['de-DE', 'Run']]) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(server.url);
    assert.equal(await label(page, 'run'), run, locale);
    await context.close();
  }
});

test('keyboard only: Tab to Run, Enter, step with the arrows, open and close the help', async () => {
  const { page, problems } = await openPage(browser, server.url);
  let presses = 0;
  while (!(await page.evaluate(() => document.activeElement?.dataset.testid === 'run'))) {
    await page.keyboard.press('Tab');
    assert.ok(++presses < 40, 'Tab never reached Run');
  }
  // A visible focus ring.
  assert.equal(await page.getByTestId('run').evaluate((b) => getComputedStyle(b).outlineStyle), 'solid');
  const runs = Number(await page.locator('[data-runs]').getAttribute('data-runs'));
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid=verdict][data-run="${runs + 1}"]`).waitFor({ state: 'attached', timeout: 60000 });
  await page.keyboard.press('Home');
  assert.equal((await position(page))[0], 0);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal((await position(page))[0], 3);
  await page.keyboard.press('ArrowLeft');
  assert.equal((await position(page))[0], 2);
  await page.keyboard.press('End');
  const [at, events] = await position(page);
  assert.equal(at, events);

  // `?` opens the help; the focus stays inside it; Esc closes it.
  const dialog = page.getByTestId('help-dialog');
  await page.keyboard.press('?');
  await dialog.waitFor({ state: 'visible' });
  for (let k = 0; k < 5; k += 1) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog')), 'focus left the dialog');
  }
  assert.match(await dialog.textContent(), /Ctrl\+Enter/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // And by its button, from the keyboard.
  await page.getByTestId('help').focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'visible' });
  await page.getByTestId('help-close').focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });

  // Typing `?` and arrows in the editor types, it does not drive playback.
  await page.locator('[data-testid=editor] .cm-content').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('?');
  assert.ok(!(await dialog.isVisible()));
  assert.equal((await position(page))[0], events);
  assert.deepEqual(problems, []);
});

test('the trace as a table marks the current moment', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await runProgram(page, null);
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('events').locator('summary').click();
  const current = page.locator('[data-testid=event-table] tr[aria-current=step]');
  await current.waitFor();
  assert.equal(await current.locator('td').first().textContent(), '2');
  assert.equal(await page.getByTestId('console').getAttribute('aria-live'), 'polite');
  assert.equal(await page.getByTestId('timeline').getAttribute('role'), 'img');
  assert.deepEqual(problems, []);
});

test('prefers-reduced-motion: a run shows its end at once and does not play', async () => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('[data-testid=editor] .cm-editor').waitFor();
  await runProgram(page, null);
  const [at, events] = await position(page);
  assert.equal(at, events);
  assert.equal(await label(page, 'play'), 'Play');
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core finds no serious violation (${colorScheme})`, async () => {
    for (const lang of ['en', 'ru']) {
      const { page, problems } = await openPage(browser, `${server.url}?lang=${lang}`, { colorScheme });
      await runProgram(page, null);
      await page.keyboard.press('End');
      await page.getByTestId('events').locator('summary').click();
      await page.getByTestId('verdict').evaluate((pre) => { pre.parentElement.open = true; });
      assert.deepEqual(await seriousViolations(page), [], `${lang}, after a run`);
      await page.getByTestId('help').click();
      await page.getByTestId('help-dialog').waitFor({ state: 'visible' });
      assert.deepEqual(await seriousViolations(page), [], `${lang}, the help open`);
      assert.deepEqual(problems, []);
    }
  });
}
