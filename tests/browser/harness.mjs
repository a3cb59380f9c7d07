// Shared pieces of the browser tests and measurements: headless Debian Chromium through
// playwright-core, the static server, test data, and small checks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startStaticServer } from '../../web/server/static-server.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dataDir = process.env.SIGHTLINE_DATA ?? path.resolve(repoRoot, '../shared/data');
export const modelsDir = process.env.SIGHTLINE_MODELS ?? path.resolve(repoRoot, '../shared/models');
export const artifactsDir = path.join(repoRoot, 'build/artifacts');

// Reference boxes of dog.jpg with YOLOX-Nano (../shared/models/README.md), x1, y1, x2, y2.
export const DOG_REFERENCE = {
  dog: [133, 207, 327, 543],
  bicycle: [56, 137, 572, 424],
  car: [466, 78, 693, 171],
};

// Playwright gives each launch a new empty profile directory itself (it refuses
// --user-data-dir for a non-persistent launch).
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.SIGHTLINE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { browser, close: () => browser.close() };
}

export async function serve(root, isolationHeaders) {
  return startStaticServer({ root, port: 0, isolationHeaders });
}

// A page with its console kept for failure reports.
export async function openPage(context, url) {
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  page.consoleLines = consoleLines;
  await page.goto(url);
  return page;
}

export async function waitForReady(page) {
  await page.waitForFunction(() => window.sightline !== undefined);
  return page.evaluate(() => window.sightline.ready.then(() => ({
    variant: window.sightline.variant,
    isolated: window.crossOriginIsolated,
  })));
}

// Like waitForReady, for a page the isolation service worker may reload once: a check that
// was running when the reload destroyed its context is retried on the new page.
export async function waitForReadyAcrossReload(page) {
  for (let attempt = 1; ; ++attempt) {
    try {
      await page.waitForFunction(() => window.sightline && !window.sightlineReloading);
      return await waitForReady(page);
    } catch (error) {
      if (attempt >= 3 || !/context was destroyed|navigat/i.test(error.message)) throw error;
      await page.waitForLoadState('load');
    }
  }
}

// Checks: each prints "ok:" or "FAIL:" and is counted; finishChecks prints the tally and exits
// non-zero when any failed. A test file is one process, so the tally is the file's.
export const failures = [];
let checkCount = 0;

export function check(condition, description, details = '') {
  checkCount += 1;
  if (condition) {
    console.log(`ok: ${description}`);
  } else {
    console.log(`FAIL: ${description}${details ? `\n    ${details}` : ''}`);
    failures.push(description);
  }
}

// Runs a group of checks; an exception fails the group with its stack instead of ending the file.
export async function step(description, body) {
  try {
    await body();
  } catch (error) {
    check(false, description, error.stack ?? String(error));
  }
}

export function finishChecks(title) {
  console.log(`${title}: ${checkCount - failures.length}/${checkCount} checks passed`);
  if (failures.length) {
    console.log(`failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
}

// The value after `name` on the command line, else `fallback`.
export function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

// window.sightline[name](...args) in the page.
export function api(page, name, ...args) {
  return page.evaluate(({ name, args }) => window.sightline[name](...args), { name, args });
}

// The native command line the tests run (--cli PATH, default build/native's); a missing one
// ends the test file with a FAIL line.
export function nativeCli() {
  const cli = path.resolve(
    argument('--cli', path.join(repoRoot, 'build/native/src/cli/sightline')));
  if (!fs.existsSync(cli)) {
    console.log(`FAIL: the native CLI ${cli} is missing (build it, or pass --cli PATH)`);
    process.exit(1);
  }
  return cli;
}

// A page of the threaded build (served with the isolation headers) or, with singleThread, of the
// single-thread build, checked to run the build asked for. Without the headers the isolation
// service worker would reload the page into the threaded build: blocked, the page stays
// single-thread. The caller closes context and server.
export async function openBuildPage(browser, root, singleThread) {
  const { server, url } = await serve(root, !singleThread);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 },
    serviceWorkers: singleThread ? 'block' : 'allow' });
  const page = await openPage(context, url);
  const ready = await waitForReady(page);
  check(ready.variant === (singleThread ? 'single-thread' : 'threads'),
    `the page runs the ${ready.variant} build`, JSON.stringify(ready));
  return { server, context, page };
}

// Drops one sample photo onto the canvas and waits for its detections.
export async function dropPhoto(page, name) {
  await dropFiles(page, [{ name, type: 'image/jpeg', bytes: readPhoto(name) }]);
  await page.evaluate(() => window.sightline.dropsSettled());
  return waitForImageDetections(page, name);
}

export function readPhoto(name) {
  return fs.readFileSync(path.join(dataDir, 'samples', name));
}

// Calls sightline.detect in the page with a File made from the bytes (or a blob: URL of it).
export async function detectInPage(page, bytes, name, options, { asUrl = false } = {}) {
  return page.evaluate(async ({ base64, name, options, asUrl }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const file = new File([bytes], name, { type: 'image/jpeg' });
    const source = asUrl ? URL.createObjectURL(file) : file;
    return window.sightline.detect(source, options);
  }, { base64: Buffer.from(bytes).toString('base64'), name, options, asUrl });
}

// Dispatches a synthetic drop of files on the canvas, as a user dragging them from a desktop.
export async function dropFiles(page, files) {
  const payload = files.map(({ name, bytes, type }) => ({
    name, type, base64: Buffer.from(bytes).toString('base64'),
  }));
  await page.evaluate((payload) => {
    const transfer = new DataTransfer();
    for (const { name, type, base64 } of payload) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type }));
    }
    const canvas = document.getElementById('canvas');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      canvas.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
        cancelable: true }));
    }
  }, payload);
}

export function appState(page) {
  return page.evaluate(() => window.sightline.state());
}

// Waits until the app shows finished detections for the named photo; returns that image.
export async function waitForImageDetections(page, name, timeoutMs = 120_000) {
  const handle = await page.waitForFunction((name) => {
    const state = window.sightline.state();
    const image = state.images.find((i) => i.name === name && i.selected);
    return image && image.detections_ready && state.busy_jobs === 0 ? image : null;
  }, name, { timeout: timeoutMs, polling: 200 });
  return handle.jsonValue();
}

// Best detection per label.
export function byLabel(detections) {
  const best = {};
  for (const d of detections) {
    if (!best[d.label] || best[d.label].score < d.score) best[d.label] = d;
  }
  return best;
}

export function maxBoxDifference(a, b) {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}
