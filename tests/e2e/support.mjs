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
 * Serves dist/ under `base` on a free port with `cargo xtask serve
 * --no-build`; resolves to { url, stop } once the server prints its address.
 */
export async function startServer(base = '/') {
  if (!existsSync(join(repoRoot, 'dist', 'index.html'))) {
    throw new Error('dist/index.html is missing: run `cargo xtask build` first');
  }
  const cargo = process.env.CARGO ?? 'cargo';
  const server = spawn(
    cargo,
    ['xtask', 'serve', '--no-build', '--port', '0', '--base', base],
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
export async function openPage(browser, url, { colorScheme = 'light', deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({
    colorScheme,
    deviceScaleFactor,
    viewport: { width: 1200, height: 800 },
  });
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
  await page.goto(url);
  await page.getByTestId('run').waitFor();
  return { page, problems, responses };
}

/** Replaces the editor's program, clicks Run and returns the new result text. */
export async function runProgram(page, program) {
  const result = page.getByTestId('result');
  const before = await result.textContent();
  await page.getByTestId('editor').fill(program);
  await page.getByTestId('run').click();
  await page.waitForFunction(
    (previous) => document.querySelector('[data-testid=result]')?.textContent !== previous,
    before,
  );
  return result.textContent();
}

/**
 * Counts the canvas's pixels painted in each statement kind's colour (the
 * colours come from the page's stylesheet): { function, class, other }.
 */
export function pixelsPerKind(page) {
  return page.getByTestId('canvas').evaluate((canvas) => {
    // Resolve each colour through a probe element: computed colours are
    // always rgb(r, g, b), however the stylesheet (minified or not) wrote them.
    const probe = document.createElement('span');
    canvas.parentElement.append(probe);
    const rgb = (property) => {
      probe.style.color = `var(${property})`;
      return getComputedStyle(probe).color.match(/\d+/g).slice(0, 3).map(Number);
    };
    const kinds = {
      function: rgb('--kind-function'),
      class: rgb('--kind-class'),
      other: rgb('--kind-other'),
    };
    probe.remove();
    const counts = { function: 0, class: 0, other: 0 };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < data.length; i += 4) {
      for (const [kind, [r, g, b]] of Object.entries(kinds)) {
        if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) {
          counts[kind] += 1;
        }
      }
    }
    return counts;
  });
}

export async function saveScreenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
