// Browser tests of hostile input and foreign requests (issue 6), in headless Chromium:
//   - a full session (load, drop dog.jpg, switch the canvas to ONNX Runtime Web, detect through
//     a blob: URL, evaluate a small labelled set) makes requests to the page's own origin only
//     (blob: and data: URLs allowed and listed), and the Content-Security-Policy reports no
//     violation: not in the page (securitypolicyviolation events), not in any console (page,
//     workers, service worker), not in the reports the browser POSTs to the server;
//   - index.html's <meta> policy equals web/server/csp.mjs's, and the server sends the header;
//   - the static site (build/site) on a host that sends no headers at all: the service worker
//     isolates it, the <meta> policy alone applies, and detection with both backends breaks
//     none of it;
//   - dropped in a row through the canvas's drop path: a PNG whose header says 30000 x 30000, a
//     2 GiB .onnx (a File the page makes from one 1 MiB part repeated, so no 2 GiB buffer
//     exists anywhere) and a truncated COCO JSON with a photo (a dataset). Each gives its own
//     message naming the file and the rule; the 2 GiB file is refused before it is read (the
//     WebAssembly memory does not grow); the page stays alive, the gallery and models are
//     kept, and dog.jpg dropped again still gives dog, bicycle and car;
//   - 64-megapixel photos (within the pixel limit) dropped one at a time until the 2 GiB
//     WebAssembly memory is full, then a 200 MiB photo file dropped and passed to
//     sightline.detect: each failed allocation (stb's malloc answering null, operator new
//     throwing std::bad_alloc inside the drop entry, the page's malloc answering 0) is a
//     message naming the photo and the memory; the page stays alive with its photos.
//
//   node tests/browser/hostile.mjs [--root DIR] [--site DIR]
// --root is an assembled web build (default build/web), --site the static site (default
// build/site). Exits non-zero and names each failed check.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { CONTENT_SECURITY_POLICY } from '../../web/server/csp.mjs';
import { startStaticServer } from '../../web/server/static-server.mjs';
import {
  appState, argument, byLabel, check, dataDir, detectInPage, dropFiles, failures, finishChecks,
  launchBrowser, openPage, readPhoto, repoRoot, step, waitForImageDetections, waitForReady,
  waitForReadyAcrossReload,
} from './harness.mjs';

const EXPECTED_LABELS = ['dog', 'bicycle', 'car'];
const SMALL_SET = ['000000000009', '000000000025', '000000000030'];
const coco128 = path.join(dataDir, 'coco128');
const GIANT_MODEL_BYTES = 2 ** 31;

// A PNG of `width` x `height` RGB pixels. With rows = 0 only the signature and IHDR: a header
// whose pixel data is absent. Otherwise that many rows of zeros, compressed (the decoder must
// inflate them all).
function png(width, height, { rows = 0 } = {}) {
  function chunk(type, data) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([length, Buffer.from(type), data, crc]);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header)];
  if (rows) {
    // Filter byte 0 and the row's RGB bytes, all zero.
    const raw = Buffer.alloc(rows * (1 + width * 3));
    parts.push(chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)));
  }
  return Buffer.concat(parts);
}

function checkDog(detections, where) {
  const found = byLabel(detections);
  const missing = EXPECTED_LABELS.filter((label) => !found[label]);
  check(missing.length === 0, `${where}: finds dog, bicycle and car`,
    `missing ${missing.join(', ')}; got ${detections.map((d) => d.label).join(', ')}`);
}

function waitForError(page, fragment, timeout = 60_000) {
  return page.waitForFunction((fragment) => window.sightline.state().errors
    .find((error) => error.includes(fragment)) ?? null, fragment, { timeout, polling: 200 })
    .then((handle) => handle.jsonValue());
}

function yoloFiles(stems) {
  const files = [{ name: 'classes.txt', bytes: fs.readFileSync(path.join(coco128, 'classes.txt')),
    type: 'text/plain' }];
  for (const stem of stems) {
    files.push({ name: `${stem}.jpg`, type: 'image/jpeg',
      bytes: fs.readFileSync(path.join(coco128, 'images', `${stem}.jpg`)) });
    const label = path.join(coco128, 'labels', `${stem}.txt`);
    if (fs.existsSync(label)) {
      files.push({ name: `${stem}.txt`, bytes: fs.readFileSync(label), type: 'text/plain' });
    }
  }
  return files;
}

// Everything the browser asks for, and everything that says a policy was broken.
function recordTraffic(context, server) {
  const traffic = { requests: [], serverPaths: [], violations: [] };
  context.on('request', (request) => {
    traffic.requests.push({ url: request.url(), type: request.resourceType(),
      worker: request.serviceWorker() ? 'service worker' : '' });
  });
  const watchConsole = (where) => (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) {
      traffic.violations.push(`${where} console: ${message.text()}`);
    }
  };
  context.on('page', (page) => {
    page.on('console', watchConsole('page'));
    page.on('worker', (worker) => worker.on('console', watchConsole(`worker ${worker.url()}`)));
  });
  context.on('serviceworker', (worker) => worker.on('console', watchConsole('service worker')));
  server.reports = (report) => traffic.violations.push(`report: ${JSON.stringify(report)}`);
  server.requests = (request) => traffic.serverPaths.push(request.url);
  return traffic;
}

async function pageViolations(page) {
  return page.evaluate(() => window.cspViolations.map((v) =>
    `page event: ${v.directive} blocked ${v.blocked} (${v.source})`));
}

async function testSession(page, traffic, origin) {
  await step('session: load, policy in place', async () => {
    await waitForReady(page);
    const meta = await page.evaluate(() => document.querySelector(
      'meta[http-equiv="Content-Security-Policy"]')?.content ?? '');
    check(meta.replace(/\s+/g, ' ').trim() === CONTENT_SECURITY_POLICY,
      'csp: index.html\'s <meta> policy is web/server/csp.mjs\'s', meta);
    const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length +
      document.querySelectorAll('[onclick],[oncontextmenu],[onload],[style]').length);
    check(inline === 0, 'csp: the page has no inline script, handler or style', String(inline));
  });

  await step('session: dropped dog.jpg, our engine', async () => {
    await dropFiles(page, [{ name: 'dog.jpg', bytes: readPhoto('dog.jpg'), type: 'image/jpeg' }]);
    checkDog((await waitForImageDetections(page, 'dog.jpg')).detections, 'session/sightline');
  });

  await step('session: the canvas switched to ONNX Runtime Web', async () => {
    await page.evaluate(() => window.sightline.setBackend('onnxruntime'));
    await page.waitForFunction(() => window.sightline.state().backend === 'onnxruntime');
    await page.waitForTimeout(100);
    checkDog((await waitForImageDetections(page, 'dog.jpg')).detections, 'session/onnxruntime');
    const report = await detectInPage(page, readPhoto('dog.jpg'), 'dog.jpg',
      { backend: 'onnxruntime' }, { asUrl: true });
    checkDog(report.detections, 'session/onnxruntime through a blob: URL');
    await page.evaluate(() => window.sightline.setBackend('sightline'));
  });

  await step('session: a small labelled set evaluated', async () => {
    const payload = yoloFiles(SMALL_SET).map(({ name, bytes }) =>
      ({ name, base64: bytes.toString('base64') }));
    const report = await page.evaluate(async (payload) => window.sightline.evaluate(
      payload.map(({ name, base64 }) =>
        new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name))), payload);
    check(report.counts.images === SMALL_SET.length && report.AP > 0,
      'session: the evaluation ran', JSON.stringify(report.counts));
  });

  await step('session: every request went to the page\'s own origin', async () => {
    // Reports and late worker requests arrive a moment after the work they come from.
    await page.waitForTimeout(1000);
    const foreign = traffic.requests.filter(({ url }) => {
      const parsed = new URL(url);
      return parsed.origin !== origin && parsed.protocol !== 'blob:' &&
        parsed.protocol !== 'data:';
    });
    const local = traffic.requests.filter(({ url }) => !url.startsWith('http'));
    console.log(`    ${traffic.requests.length} requests seen by the browser, ` +
      `${traffic.serverPaths.length} by the server; not http(s): ` +
      `${[...new Set(local.map((r) => `${r.url.slice(0, 40)} (${r.type})`))].join(', ')}`);
    check(traffic.requests.length > 10 && foreign.length === 0,
      'requests: all go to the page\'s origin (or are blob:/data:)',
      foreign.map((r) => `${r.url} (${r.type}${r.worker ? `, ${r.worker}` : ''})`).join('\n    '));
    const seen = new Set(traffic.requests.map((r) => new URL(r.url).pathname));
    const unseen = [...new Set(traffic.serverPaths.map((p) => new URL(p, origin).pathname))]
      .filter((p) => !seen.has(p));
    check(unseen.length === 0,
      'requests: the browser-side record holds every request the server received ' +
      '(workers included), so it misses nothing of the page\'s own traffic', unseen.join(', '));
    check(['ort-wasm-simd-threaded.wasm', 'sightline-mt.worker.js', 'yolox_nano.onnx']
      .every((name) => traffic.serverPaths.some((p) => p.includes(name))),
    'requests: the record covers ONNX Runtime Web, the pthread workers and the model');
  });

  await step('session: no Content-Security-Policy violation', async () => {
    const violations = [...traffic.violations, ...await pageViolations(page)];
    check(violations.length === 0, 'csp: no violation in the page, its workers or reports',
      violations.join('\n    '));
  });
}

// The three hostile files, dropped without waiting between them.
async function testHostileDrops(page) {
  await page.evaluate(() => window.sightline.setBackend('sightline'));
  const before = await appState(page);
  const memoryBefore = await page.evaluate(() => window.sightline.memoryBytes());
  const coco = fs.readFileSync(path.join(coco128, 'instances_train2017_coco128.json'));
  const truncated = coco.subarray(0, Math.floor(coco.length / 2));
  const evaluationsBefore = await page.evaluate(() => window.sightline.evaluation().number);

  await step('hostile: three files dropped in a row', async () => {
    await dropFiles(page, [{ name: 'huge-30000.png', bytes: png(30000, 30000),
      type: 'image/png' }]);
    await page.evaluate((size) => {
      // One 1 MiB part, repeated: the browser keeps references, not 2 GiB of bytes.
      const part = new Blob([new Uint8Array(1 << 20)]);
      const giant = new File(new Array(size / (1 << 20)).fill(part), 'giant-2GiB.onnx');
      const transfer = new DataTransfer();
      transfer.items.add(giant);
      const canvas = document.getElementById('canvas');
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        canvas.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
          cancelable: true }));
      }
    }, GIANT_MODEL_BYTES);
    await dropFiles(page, [
      { name: 'truncated-coco.json', bytes: truncated, type: 'application/json' },
      { name: `${SMALL_SET[0]}.jpg`, type: 'image/jpeg',
        bytes: fs.readFileSync(path.join(coco128, 'images', `${SMALL_SET[0]}.jpg`)) }]);
    await page.evaluate(() => window.sightline.dropsSettled());
  });

  await step('hostile: the 30000 x 30000 PNG header', async () => {
    const message = await waitForError(page, 'huge-30000.png');
    console.log(`    message: ${message}`);
    check(/30000/.test(message) && /16384/.test(message),
      'hostile/png: the message names the file, its size and the side limit', message);
  });

  await step('hostile: the 2 GiB .onnx', async () => {
    const message = await waitForError(page, 'giant-2GiB.onnx');
    console.log(`    message: ${message}`);
    check(/2147483648 bytes/.test(message) && /1073741824 bytes/.test(message) &&
      /not read/.test(message),
    'hostile/onnx: refused by size before it was read, naming the file, size and limit',
    message);
    const memoryAfter = await page.evaluate(() => window.sightline.memoryBytes());
    console.log(`    WebAssembly memory ${memoryBefore >> 20} MiB before the drops, ` +
      `${memoryAfter >> 20} MiB after`);
    check(memoryAfter - memoryBefore < 256 * 2 ** 20,
      'hostile/onnx: the WebAssembly memory did not grow by the file (< 256 MiB growth)');
  });

  await step('hostile: the truncated COCO JSON', async () => {
    const session = await page.waitForFunction((after) => {
      const evaluation = window.sightline.evaluation();
      return evaluation.number > after && ['done', 'failed'].includes(evaluation.phase)
        ? evaluation : null;
    }, evaluationsBefore, { timeout: 120_000, polling: 250 }).then((h) => h.jsonValue());
    console.log(`    message: ${session.fatal}`);
    check(session.phase === 'failed' && /truncated-coco\.json/.test(session.fatal),
      'hostile/coco: the evaluation fails with a message naming the file', session.fatal);
    const errors = (await appState(page)).errors;
    check(errors.some((e) => e.includes('truncated-coco.json')),
      'hostile/coco: the error banner shows it');
  });

  await step('hostile: the page lives on, nothing is lost, detection still works', async () => {
    const after = await appState(page);
    const names = (state) => state.images.map((i) => i.name).join(',');
    check(names(after) === names(before) && after.models.length === before.models.length &&
      after.models.find((m) => m.active)?.name === before.models.find((m) => m.active)?.name,
    'hostile: the gallery and the models are as before', `${names(before)} -> ${names(after)}`);
    await dropFiles(page, [{ name: 'dog-again.jpg', bytes: readPhoto('dog.jpg'),
      type: 'image/jpeg' }]);
    checkDog((await waitForImageDetections(page, 'dog-again.jpg')).detections,
      'hostile/after: dog.jpg dropped again');
    const report = await detectInPage(page, readPhoto('dog.jpg'), 'dog.jpg', {});
    checkDog(report.detections, 'hostile/after: sightline.detect');
  });
}

// Drops one File the page builds: `head` (bytes from here) then `padding` zero bytes, made of
// one 1 MiB part repeated (no buffer that size exists until the page reads the file).
async function dropPaddedFile(page, name, head, padding) {
  await page.evaluate(({ name, base64, padding }) => {
    const head = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const part = new Blob([new Uint8Array(1 << 20)]);
    const file = new File([head, ...new Array(padding / (1 << 20)).fill(part)], name);
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const canvas = document.getElementById('canvas');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      canvas.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
        cancelable: true }));
    }
  }, { name, base64: Buffer.from(head).toString('base64'), padding });
  await page.evaluate(() => window.sightline.dropsSettled());
}

// A user fills the 2 GiB WebAssembly memory with 64-megapixel photos (16000 x 4000, within the
// pixel limit; the gallery keeps each decoded, 183 MiB), then drops more. Every failed
// allocation must be a message naming the file and the memory, never an abort.
async function testMemoryExhaustion(page) {
  const photo = png(16000, 4000, { rows: 4000 });
  const photosBefore = (await appState(page)).images.length;
  let kept = 0;
  await step('memory: 64-megapixel photos until one no longer fits', async () => {
    let message = null;
    for (let index = 1; index <= 16 && !message; ++index) {
      const name = `big-${index}.png`;
      await dropFiles(page, [{ name, bytes: photo, type: 'image/png' }]);
      await page.evaluate(() => window.sightline.dropsSettled());
      const state = await appState(page);
      message = state.errors.find((e) => e.includes(name)) ?? null;
      kept = state.images.length - photosBefore;
      const memory = await page.evaluate(() => window.sightline.memoryBytes());
      console.log(`    ${name}: memory ${memory >> 20} MiB, ${state.images.length} photos` +
        `${message ? `; message: ${message}` : ''}`);
    }
    check(message !== null && /memory/i.test(message),
      'memory: the photo that no longer fits gives a message naming it and the memory', message);
  });

  // read_file's std::vector for a 200 MiB photo file cannot be allocated now: operator new
  // throws std::bad_alloc inside App::open_files, and the drop entry's guard reports it.
  await step('memory: a 200 MiB photo file dropped into the full memory', async () => {
    const name = 'padded-200MiB.png';
    await dropPaddedFile(page, name, photo, 200 * 2 ** 20);
    const message = (await appState(page)).errors.find((e) => e.includes(name)) ?? null;
    console.log(`    message: ${message}`);
    check(message !== null && /out of memory/.test(message) && /2048 MiB/.test(message),
      'memory: the failed allocation (std::bad_alloc at the JS boundary) is a message naming ' +
      'the file and the memory', message);
  });

  await step('memory: sightline.detect of a 200 MiB file rejects with a message', async () => {
    const message = await page.evaluate(async ({ base64 }) => {
      const head = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const part = new Blob([new Uint8Array(1 << 20)]);
      const file = new File([head, ...new Array(200).fill(part)], 'padded-detect.png');
      return window.sightline.detect(file).then(() => 'resolved', (error) => error.message);
    }, { base64: photo.toString('base64') });
    console.log(`    message: ${message}`);
    check(/padded-detect\.png/.test(message) && /out of memory/.test(message),
      'memory: the detect promise rejects naming the photo and the memory', message);
  });

  await step('memory: the page lives on with every photo it took', async () => {
    const state = await appState(page);
    check(state.images.length === photosBefore + kept && kept >= 5 &&
      state.images.some((i) => i.name === 'dog-again.jpg'),
    'memory: the page answers; the gallery holds all photos it took',
    `${photosBefore} + ${kept} -> ${state.images.length}`);
  });
}

// Proof that a policy is in force: an inline script added to the page must not run, and the
// refusal must be seen as a violation.
async function checkInlineScriptRefused(page, where) {
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true;';
    document.head.append(script);
    return window.inlineScriptRan === true;
  });
  await page.waitForTimeout(300);
  const seen = (await pageViolations(page)).some((v) => /script-src/.test(v));
  check(!ran && seen, `${where}: the policy is in force (an inline script is refused and ` +
    'reported)', `ran ${ran}, reported ${seen}`);
}

// build/site from a host without any header: the <meta> policy and the service worker.
async function testSiteWithoutHeaders(browser, root) {
  const { server, url } = await startStaticServer({ root, port: 0, isolationHeaders: false,
    policyHeader: false });
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const traffic = recordTraffic(context, {});
  await watchViolationEvents(context);
  const page = await openPage(context, url);
  try {
    await step('site without headers: the <meta> policy alone, service worker', async () => {
      // The first load registers the service worker and reloads once; the ready promise of
      // the page that is about to reload may resolve first, so wait for the isolated page.
      let ready = null;
      for (let attempt = 1; attempt <= 5 && !ready?.isolated; ++attempt) {
        try {
          await page.waitForLoadState('load');
          ready = await waitForReadyAcrossReload(page);
          if (!ready.isolated) await page.waitForTimeout(1000);
        } catch (error) {
          if (!/context was destroyed|navigat/i.test(error.message)) throw error;
        }
      }
      check(ready.variant === 'threads', 'site without headers: the service worker isolates it',
        JSON.stringify(ready));
      for (const backend of ['sightline', 'onnxruntime']) {
        const report = await detectInPage(page, readPhoto('dog.jpg'), 'dog.jpg', { backend });
        checkDog(report.detections, `site without headers/${backend}`);
      }
      await page.waitForTimeout(500);
      const foreign = traffic.requests.filter(({ url: address }) =>
        address.startsWith('http') && new URL(address).origin !== new URL(url).origin);
      check(foreign.length === 0, 'site without headers: every request to the page\'s origin',
        foreign.map((r) => r.url).join(', '));
      const violations = [...traffic.violations, ...await pageViolations(page)];
      check(violations.length === 0, 'site without headers: no policy violation',
        violations.join('\n    '));
      await checkInlineScriptRefused(page, 'site without headers (<meta> only)');
    });
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-20).join('\n'));
    await context.close();
    server.close();
  }
}

async function watchViolationEvents(context) {
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push({ directive: event.violatedDirective,
        blocked: event.blockedURI, source: `${event.sourceFile}:${event.lineNumber}` });
    });
  });
}

async function main() {
  const root = path.resolve(argument('--root', path.join(repoRoot, 'build/web')));
  const { browser, close } = await launchBrowser();
  const hooks = { reports: null, requests: null };
  const { server, url } = await startStaticServer({ root, port: 0, isolationHeaders: true,
    onRequest: (request) => hooks.requests?.(request),
    onCspReport: (report) => hooks.reports?.(report) });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const traffic = recordTraffic(context, hooks);
  await watchViolationEvents(context);
  const page = await openPage(context, url);
  try {
    const origin = new URL(url).origin;
    const response = await page.request.get(url);
    check(/wasm-unsafe-eval/.test(response.headers()['content-security-policy'] ?? '') &&
      /frame-ancestors 'none'/.test(response.headers()['content-security-policy']),
    'csp: the server sends the policy as a header, with frame-ancestors',
    response.headers()['content-security-policy']);
    await testSession(page, traffic, origin);
    await testHostileDrops(page);
    await testMemoryExhaustion(page);
    const violations = [...traffic.violations, ...await pageViolations(page)];
    check(violations.length === 0, 'csp: still no violation at the end',
      violations.join('\n    '));
    await checkInlineScriptRefused(page, 'csp');
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
  }
  try {
    await testSiteWithoutHeaders(browser,
      path.resolve(argument('--site', path.join(repoRoot, 'build/site'))));
  } finally {
    await close();
  }
  finishChecks('hostile browser tests');
}

await main();
