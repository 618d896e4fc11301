// Shared by the end-to-end tests: serves the built site with the same server
// `cargo xtask serve` uses, and drives the system's Chromium with
// playwright-core.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = join(repoRoot, 'tests', 'e2e', 'screenshots');

const chromiumPath = process.env.LOOPSCOPE_CHROMIUM ?? '/usr/bin/chromium';

// Flags that keep headless Chromium quiet and offline. Playwright gives it a
// fresh profile directory itself (it refuses --user-data-dir in args).
const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Serves dist/ (or `dir`, another built copy) under `base` on a free port
 * with `cargo xtask serve --no-build`; resolves to { url, stop } once the
 * server prints its address.
 */
export async function startServer(base = '/', { dir = join(repoRoot, 'dist') } = {}) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`cargo xtask build\` first`);
  }
  const cargo = process.env.CARGO ?? 'cargo';
  const server = spawn(
    cargo,
    ['xtask', 'serve', '--no-build', '--port', '0', '--base', base, '--dir', dir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: server.stdout });
  const url = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`the server exited early (${code})`)));
    lines.on('line', (line) => {
      const match = line.match(/^Serving .* at (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
  });
  server.removeAllListeners('exit');
  return {
    url,
    stop: () => {
      lines.close();
      server.kill();
    },
  };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
}

/**
 * Opens `url` in a new page and records what went wrong while it ran:
 * uncaught errors (a wasm panic is one), console errors and failed requests.
 */
export async function openPage(
  browser,
  url,
  { colorScheme = 'light', deviceScaleFactor = 1, viewport = { width: 1200, height: 800 } } = {},
) {
  const context = await browser.newContext({ colorScheme, deviceScaleFactor, viewport });
  const page = await context.newPage();
  const problems = [];
  const responses = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    responses.push(response);
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await gotoSettled(page, url);
  return { page, problems, responses };
}

/**
 * Opens `url` and waits until the page is whole: the editor is CodeMirror
 * and the worker has its VM. Leaving a page sooner aborts the worker's
 * wasm download, which a test collecting failed requests would count.
 */
export async function gotoSettled(page, url) {
  await page.goto(url);
  await page.getByTestId('run').waitFor();
  await page.locator('[data-testid=editor] .cm-editor').waitFor();
  await page.locator('[data-worker=ready]').waitFor({ state: 'attached', timeout: 60000 });
}

/** Replaces the program in the editor (CodeMirror, through its small API). */
export async function setProgram(page, program) {
  await page.getByTestId('editor').evaluate((element, text) => element.loopscopeEditor.setText(text), program);
}

export function editorText(page) {
  return page.getByTestId('editor').evaluate((element) => element.loopscopeEditor.getText());
}

/**
 * Puts `program` in the editor (unless null), clicks Run and waits for that
 * run's verdict; returns it parsed (the CLI's `--json` verdict).
 */
export async function runProgram(page, program, { timeout = 60000 } = {}) {
  if (program !== null) await setProgram(page, program);
  const runs = Number(await page.locator('[data-runs]').getAttribute('data-runs'));
  await page.getByTestId('run').click();
  const verdict = page.locator(`[data-testid=verdict][data-run="${runs + 1}"]`);
  // The exact verdict may be folded away (it is in the DOM all the same).
  await verdict.waitFor({ state: 'attached', timeout });
  return JSON.parse(await verdict.textContent());
}

/** The console's lines as shown: each line's text without its task tag. */
export function consoleLines(page) {
  return page.locator('[data-testid=console] .text').allTextContents();
}

/** The position shown beside the playback buttons: [moment, events]. */
export async function position(page) {
  const text = await page.getByTestId('position').textContent();
  return text.split('/').map((part) => Number(part.trim()));
}

/**
 * Pixels of a canvas that differ from its top-left corner (its background):
 * 0 for a blank canvas.
 */
export function inkedPixels(page, testId) {
  return page.getByTestId(testId).evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) count += 1;
    }
    return count;
  });
}

/** base64url of the UTF-8 text, without padding (the page's #code= links). */
export function codeHash(program) {
  return `#code=${Buffer.from(program, 'utf8').toString('base64url')}`;
}

export async function saveScreenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
