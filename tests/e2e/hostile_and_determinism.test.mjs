// Issue 7 in the browser: every hostile program (tests/hostile) ends in the
// page's worker with the verdict it ends with natively, the page staying
// alive and showing output as text; and the wasm build records the very
// same trace bytes as the native CLI for the lecture's programs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { consoleLines, launchBrowser, openPage, repoRoot, runProgram, startServer } from './support.mjs';

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

/** `STATUS` or `STATUS: ERROR` from a program's `# expect:` line. */
function expectation(source) {
  const line = source.split('\n').find((l) => l.startsWith('# expect: '));
  return line?.slice('# expect: '.length);
}

/** Does a verdict meet an expectation (`line *` matches any line)? */
function meets(verdict, want) {
  const got = verdict.error ? `${verdict.status}: ${verdict.error}` : verdict.status;
  if (!want.includes('line *')) return got === want;
  const [beforeStar, afterStar] = want.split('line *');
  return new RegExp(`^${escape(beforeStar)}line \\d+${escape(afterStar)}$`).test(got);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('every hostile program ends in the browser with its verdict', async () => {
  const dir = join(repoRoot, 'tests', 'hostile');
  const programs = readdirSync(dir).filter((name) => name.endsWith('.py')).sort();
  assert.ok(programs.length >= 30, `${programs.length} hostile programs`);
  const { page, problems } = await openPage(browser, server.url);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  const mismatches = [];
  for (const name of programs) {
    const source = readFileSync(join(dir, name), 'utf8');
    const want = expectation(source);
    const verdict = await runProgram(page, source, { timeout: 120000 });
    if (!meets(verdict, want)) mismatches.push(`${name}: ${JSON.stringify(verdict)}, expected ${want}`);
    if (name === 'script_in_output.py') {
      await page.keyboard.press('End');
      const lines = await consoleLines(page);
      assert.ok(lines.includes('<script>alert(1)</script>'), `console: ${JSON.stringify(lines)}`);
      assert.ok(lines.includes('<img src=x onerror=alert(2)>'));
      assert.equal(await page.locator('[data-testid=console] script, [data-testid=console] img').count(), 0);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.deepEqual(dialogs, [], 'output was interpreted as HTML');
  assert.deepEqual(problems, []);
});

/**
 * The trace bytes (binary codec) the page's worker records for `source`:
 * a second worker, made the way the page makes its own, driven directly.
 */
function traceInBrowser(page, source) {
  return page.evaluate(
    (program) =>
      new Promise((resolve, reject) => {
        const worker = new Worker('./loopscope-worker_loader.js');
        worker.onerror = (event) => reject(new Error(event.message));
        worker.onmessage = ({ data }) => {
          if (data.kind === 'ready') worker.postMessage([program, 0]);
          if (data.kind === 'done') {
            worker.terminate();
            resolve(Array.from(data.trace));
          }
        };
      }),
    source,
  );
}

test('the wasm build records the same trace bytes as the native CLI', async () => {
  const dir = join(repoRoot, 'tests', 'lecture');
  const programs = readdirSync(dir).filter((name) => name.endsWith('.py')).sort();
  const scratch = mkdtempSync(join(tmpdir(), 'loopscope-traces-'));
  const { page, problems } = await openPage(browser, server.url);
  const differing = [];
  for (const name of programs) {
    const out = join(scratch, `${name}.bin`);
    // The worker's runs call the program main.py; so does this one.
    execFileSync(
      process.env.CARGO ?? 'cargo',
      ['run', '-q', '-p', 'loopscope-cli', '--', 'run', join(dir, name), '--filename', 'main.py', '--trace-bin', out],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const native = readFileSync(out);
    const wasm = Buffer.from(await traceInBrowser(page, readFileSync(join(dir, name), 'utf8')));
    if (!native.equals(wasm)) differing.push(`${name}: native ${native.length} bytes, wasm ${wasm.length}`);
  }
  assert.deepEqual(differing, []);
  assert.deepEqual(problems, []);
});
