// Measures the web app for the team's notes, in headless Chromium on this machine:
//   - bytes transferred from navigation to the first detection of dog.jpg, per backend;
//   - time from navigation to that first detection, per backend: on a first visit (empty cache)
//     and again after a reload (warm cache: files from the HTTP cache, WebAssembly from the
//     browser's compiled-code cache), by the test's clock and by the page's own clock (which
//     leaves out the test's round trips and the photo's transfer into the page);
//   - inference time per backend with threads on (isolated, threaded build) and off
//     (no isolation headers, service workers blocked: single-thread build). The first run of
//     ONNX Runtime Web includes importing it and creating its session; the median and minimum
//     are over the later runs (this machine is shared, so its load average is recorded too).
// Each configuration starts in a fresh browser context (empty cache). The server sends no
// compression, so transfer sizes are raw file sizes plus headers.
//
//   node tests/browser/measure.mjs [--runs N] [--root build/site]
// Prints a table and writes build/artifacts/web-measurements.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  argument, artifactsDir, detectInPage, launchBrowser, readPhoto, repoRoot, serve, waitForReady,
} from './harness.mjs';

const runs = Number(argument('--runs', '5'));
const root = path.resolve(repoRoot, argument('--root', 'build/site'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(browser, { backend, threads }) {
  const { server, url } = await serve(root, threads);
  const context = await browser.newContext({ serviceWorkers: threads ? 'allow' : 'block' });
  const page = await context.newPage();
  page.setDefaultTimeout(180_000);
  const responses = [];
  page.on('requestfinished', (request) => responses.push(request));
  const photo = readPhoto('dog.jpg');
  try {
    const start = Date.now();
    await page.goto(url);
    const ready = await waitForReady(page);
    const readyMs = Date.now() - start;
    const first = await detectInPage(page, photo, 'dog.jpg', { backend });
    const firstDetectionMs = Date.now() - start;

    let transferred = 0;
    const byFile = {};
    for (const request of responses) {
      const sizes = await request.sizes();
      const bytes = sizes.responseBodySize + sizes.responseHeadersSize;
      transferred += bytes;
      const file = new URL(request.url()).pathname;
      byFile[file] = (byFile[file] ?? 0) + bytes;
    }

    const inference = [first.timings_ms.inference];
    for (let i = 1; i < runs; ++i) {
      const report = await detectInPage(page, photo, 'dog.jpg', { backend });
      inference.push(report.timings_ms.inference);
    }
    const state = await page.evaluate(() => window.sightline.state());

    // The same navigation again in the same context: the cache is warm now.
    const warmStart = Date.now();
    await page.reload();
    await waitForReady(page);
    const warmReadyMs = Date.now() - warmStart;
    const warm = await page.evaluate(async ({ base64, backend }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const file = new File([bytes], 'dog.jpg', { type: 'image/jpeg' });
      const start = performance.now();
      await window.sightline.detect(file, { backend });
      return { readyMs: window.sightline.timings.readyMs, detectMs: performance.now() - start };
    }, { base64: photo.toString('base64'), backend });
    const warmFirstDetectionMs = Date.now() - warmStart;
    return {
      backend,
      threads_requested: threads,
      variant: ready.variant,
      isolated: ready.isolated,
      engine_threads: state.threads,
      transferred_bytes: transferred,
      ready_ms: readyMs,
      navigation_to_first_detection_ms: firstDetectionMs,
      warm_ready_ms: warmReadyMs,
      warm_navigation_to_first_detection_ms: warmFirstDetectionMs,
      // The page's own clock (from navigation start): when it was ready, plus the detect call
      // itself; without the test's round trips and the photo's transfer into the page.
      warm_in_page_ready_ms: Math.round(warm.readyMs),
      warm_in_page_first_detection_ms: Math.round(warm.readyMs + warm.detectMs),
      first_inference_ms: inference[0],
      median_inference_ms: median(inference.slice(1).length ? inference.slice(1) : inference),
      min_inference_ms: Math.min(...inference),
      load_average: os.loadavg()[0],
      inference_runs_ms: inference,
      largest_files: Object.entries(byFile).sort((a, b) => b[1] - a[1]).slice(0, 6),
    };
  } finally {
    await context.close();
    server.close();
  }
}

const { browser, close } = await launchBrowser();
const results = [];
try {
  for (const threads of [true, false]) {
    for (const backend of ['sightline', 'onnxruntime']) {
      const result = await measure(browser, { backend, threads });
      results.push(result);
      console.log(`${backend.padEnd(11)} ${result.variant.padEnd(13)} ` +
        `transfer ${(result.transferred_bytes / 1e6).toFixed(2)} MB, ` +
        `ready ${result.ready_ms} ms, ` +
        `first detection ${result.navigation_to_first_detection_ms} ms ` +
        `(warm cache: ready ${result.warm_ready_ms} ms, ` +
        `first detection ${result.warm_navigation_to_first_detection_ms} ms; ` +
        `in the page's clock ready ${result.warm_in_page_ready_ms} ms, ` +
        `first detection ${result.warm_in_page_first_detection_ms} ms), ` +
        `inference first ${result.first_inference_ms.toFixed(0)} ms, ` +
        `median ${result.median_inference_ms.toFixed(0)} ms, ` +
        `min ${result.min_inference_ms.toFixed(0)} ms (${runs} runs, ` +
        `load ${result.load_average.toFixed(1)})`);
    }
  }
} finally {
  await close();
}
fs.mkdirSync(artifactsDir, { recursive: true });
const output = path.join(artifactsDir, 'web-measurements.json');
fs.writeFileSync(output, JSON.stringify({ measured_at: new Date().toISOString(), root, runs,
  results }, null, 2));
console.log(`written ${output}`);
