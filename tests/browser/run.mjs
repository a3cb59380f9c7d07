// Browser tests of the web app in headless Debian Chromium (playwright-core):
//   - the page loads and sightline.ready resolves (threads when isolated);
//   - dog.jpg through sightline.detect and through a synthetic drop gives dog, bicycle and car
//     with both backends, and the backends' boxes agree within 2 px;
//   - a dropped non-image file and a dropped 200-megapixel PNG give an error message in the UI
//     and the app keeps working with nothing lost;
//   - the static site works served with headers (threads), without headers (the service
//     worker isolates it) and without headers or service workers (single-thread with a note);
//   - screenshots of the canvas are saved in build/artifacts/.
//
//   node tests/browser/run.mjs [--no-build]
// Exits non-zero and names each failed check. Builds build/web and build/site first unless
// --no-build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import {
  appState, artifactsDir, byLabel, check, detectInPage, DOG_REFERENCE, dropFiles, failures,
  finishChecks, launchBrowser, maxBoxDifference, modelsDir, openPage, readPhoto, repoRoot, serve,
  step, waitForImageDetections, waitForReady, waitForReadyAcrossReload,
} from './harness.mjs';

const EXPECTED_LABELS = ['dog', 'bicycle', 'car'];
const BACKEND_TOLERANCE_PX = 2;
const REFERENCE_TOLERANCE_PX = 4;

function checkDogDetections(detections, where) {
  const found = byLabel(detections);
  const missing = EXPECTED_LABELS.filter((label) => !found[label]);
  check(missing.length === 0, `${where}: finds dog, bicycle and car`,
    `missing ${missing.join(', ')}; got ${JSON.stringify(detections)}`);
  for (const label of EXPECTED_LABELS) {
    if (!found[label]) continue;
    const difference = maxBoxDifference(found[label].box, DOG_REFERENCE[label]);
    check(difference <= REFERENCE_TOLERANCE_PX,
      `${where}: ${label} box within ${REFERENCE_TOLERANCE_PX} px of ONNX Runtime's reference`,
      `box ${found[label].box.map((v) => v.toFixed(1))} vs ${DOG_REFERENCE[label]}`);
  }
  return found;
}

function checkBackendsAgree(first, second, where) {
  for (const label of EXPECTED_LABELS) {
    if (!first[label] || !second[label]) continue;
    const difference = maxBoxDifference(first[label].box, second[label].box);
    check(difference <= BACKEND_TOLERANCE_PX,
      `${where}: ${label} boxes of both backends within ${BACKEND_TOLERANCE_PX} px ` +
      `(${difference.toFixed(4)} px)`);
  }
}

// A PNG whose header claims 20000 x 10000 pixels (200 megapixels); the pixel data is absent,
// so only a decoder that checks limits before allocating answers with a clean error.
function hugePngHeader() {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(20000, 0);
  header.writeUInt32BE(10000, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const type = Buffer.from('IHDR');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, header])));
  return Buffer.concat([signature, length, type, header, crc]);
}

async function testApp(browser, root) {
  const { server, url } = await serve(root, true);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await openPage(context, url);
  const dog = readPhoto('dog.jpg');
  try {
    await step('app: page loads and sightline.ready resolves', async () => {
      const ready = await waitForReady(page);
      check(ready.variant === 'threads' && ready.isolated,
        'app: served with headers, the page is isolated and runs the threaded build',
        JSON.stringify(ready));
    });

    await step('app: the thread pool fits the cores, and an idle page skips frames', async () => {
      const cores = await page.evaluate(() => navigator.hardwareConcurrency || 1);
      const state = await appState(page);
      const expectedThreads = Math.min(4, Math.max(1, cores));
      check(state.threads === expectedThreads && state.pool_workers === expectedThreads,
        `app: ${cores} cores give ${expectedThreads} engine threads and pool workers`,
        `threads ${state.threads}, pool_workers ${state.pool_workers}`);

      // Idle: the frame loop draws about four times a second instead of at every refresh.
      await page.waitForTimeout(500);
      const idleStart = (await appState(page)).frames_drawn;
      await page.waitForTimeout(1000);
      const idleFrames = (await appState(page)).frames_drawn - idleStart;
      check(idleFrames >= 2 && idleFrames <= 8,
        `app: an idle second draws ${idleFrames} frames (2 to 8: the heartbeat only)`);

      // Input wakes it: every mouse move owes a few frames, so a second of moves draws well
      // over the heartbeat's four even when a loaded machine slows the frame rate.
      const before = (await appState(page)).frames_drawn;
      for (let i = 0; i < 20; ++i) {
        await page.mouse.move(300 + 10 * i, 300 + 5 * (i % 2));
        await page.waitForTimeout(50);
      }
      const woken = (await appState(page)).frames_drawn - before;
      check(woken >= 10,
        `app: a second of mouse moves over the page draws ${woken} frames (at least 10)`);
    });

    let apiEngine = null;
    let apiOrt = null;
    await step('app: sightline.detect with our engine', async () => {
      const report = await detectInPage(page, dog, 'dog.jpg', { backend: 'sightline' });
      check(report.image === 'dog.jpg' && report.width === 768 && report.height === 576,
        'api/sightline: report names the photo and its size', JSON.stringify(report));
      check(['decode', 'preprocess', 'inference', 'postprocess']
        .every((stage) => typeof report.timings_ms?.[stage] === 'number'),
      'api/sightline: report has per-stage timings', JSON.stringify(report.timings_ms));
      apiEngine = checkDogDetections(report.detections, 'api/sightline');
    });
    await step('app: sightline.detect with ONNX Runtime Web (blob URL)', async () => {
      check(!(await page.evaluate(() => window.sightline.onnxruntimeLoaded())),
        'api: ONNX Runtime Web is not loaded before it is chosen');
      const report = await detectInPage(page, dog, 'dog.jpg', { backend: 'onnxruntime' },
        { asUrl: true });
      apiOrt = checkDogDetections(report.detections, 'api/onnxruntime');
      checkBackendsAgree(apiEngine ?? {}, apiOrt, 'api');
    });
    await step('app: sightline.detect rejects bad options', async () => {
      const message = await page.evaluate(() => window.sightline.detect('x.jpg', { iou: 1.5 })
        .then(() => 'resolved', (error) => error.message));
      check(/iou/i.test(message) && /1\.5/.test(message),
        'api: iou 1.5 is rejected with a message naming it', message);
    });

    let dropEngine = null;
    await step('app: dropped dog.jpg with our engine', async () => {
      await dropFiles(page, [{ name: 'dog.jpg', bytes: dog, type: 'image/jpeg' }]);
      const image = await waitForImageDetections(page, 'dog.jpg');
      dropEngine = checkDogDetections(image.detections, 'drop/sightline');
      checkBackendsAgree(apiEngine ?? {}, dropEngine, 'drop and api (sightline)');
      fs.mkdirSync(artifactsDir, { recursive: true });
      await page.mouse.move(5, 700);
      await page.waitForTimeout(300);
      await page.locator('#canvas').screenshot({
        path: path.join(artifactsDir, 'browser-dog-sightline.png'),
      });
    });
    await step('app: dropped dog.jpg with ONNX Runtime Web', async () => {
      await page.evaluate(() => window.sightline.setBackend('onnxruntime'));
      await page.waitForFunction(() => window.sightline.state().backend === 'onnxruntime');
      await page.waitForTimeout(100);
      const image = await waitForImageDetections(page, 'dog.jpg');
      const state = await appState(page);
      check(state.backend === 'onnxruntime', 'drop/onnxruntime: the UI switched backend');
      const dropOrt = checkDogDetections(image.detections, 'drop/onnxruntime');
      checkBackendsAgree(dropEngine ?? {}, dropOrt, 'drop');
      const agreement = (await appState(page)).images.find((i) => i.name === 'dog.jpg')
        ?.backend_agreement;
      check(agreement && agreement.paired === agreement.sightline_boxes &&
        agreement.sightline_boxes === agreement.onnxruntime_boxes &&
        agreement.max_difference_px <= BACKEND_TOLERANCE_PX,
      'drop: the UI reports that both backends agree', JSON.stringify(agreement));
      await page.locator('#canvas').screenshot({
        path: path.join(artifactsDir, 'browser-dog-onnxruntime.png'),
      });
      await page.evaluate(() => window.sightline.setBackend('sightline'));
    });

    await step('app: several photos dropped at once join the gallery', async () => {
      const before = await appState(page);
      await dropFiles(page, ['eagle.jpg', 'giraffe.jpg'].map((name) => ({
        name, bytes: readPhoto(name), type: 'image/jpeg',
      })));
      const giraffe = await waitForImageDetections(page, 'giraffe.jpg');
      const state = await appState(page);
      const names = state.images.map((i) => i.name);
      check(state.images.length === before.images.length + 2 && names.includes('eagle.jpg'),
        'gallery: both photos added, the earlier one kept', names.join(', '));
      check(giraffe.detections.some((d) => d.label === 'giraffe'),
        'gallery: the selected last photo shows a giraffe',
        giraffe.detections.map((d) => d.label).join(', '));
      await page.evaluate((id) => window.sightline.selectImage(id),
        state.images.find((i) => i.name === 'dog.jpg').id);
      await waitForImageDetections(page, 'dog.jpg');
    });

    await step('app: moving the confidence slider re-runs only post-processing', async () => {
      const before = await appState(page);
      await page.evaluate(() => window.sightline.setOptions({ conf: 0.83 }));
      let image = await waitForImageDetections(page, 'dog.jpg');
      let after = await appState(page);
      const labels = image.detections.map((d) => d.label).sort().join(',');
      check(after.options.conf > 0.82 && labels === 'dog',
        'options: at confidence 0.83 only the dog (0.85) stays', labels);
      await page.evaluate(() => window.sightline.setOptions({ conf: 0.3 }));
      image = await waitForImageDetections(page, 'dog.jpg');
      after = await appState(page);
      checkDogDetections(image.detections, 'options back to 0.3');
      check(after.inference_runs === before.inference_runs,
        'options: no inference ran for the slider moves',
        `${before.inference_runs} -> ${after.inference_runs}`);
    });

    await step('app: a dropped PDF gives an error and nothing is lost', async () => {
      const before = await appState(page);
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n');
      await dropFiles(page, [{ name: 'report.pdf', bytes: pdf, type: 'application/pdf' }]);
      await page.waitForFunction(() =>
        window.sightline.state().errors.some((e) => e.includes('report.pdf')), null,
      { timeout: 15_000 });
      const after = await appState(page);
      const message = after.errors.find((e) => e.includes('report.pdf'));
      console.log(`    error shown: ${message}`);
      check(true, 'drop/pdf: the error message names the file');
      check(after.images.length === before.images.length &&
        after.images.some((i) => i.name === 'dog.jpg' && i.detections.length > 0),
      'drop/pdf: the gallery still holds dog.jpg with its detections');
      await page.locator('#canvas').screenshot({
        path: path.join(artifactsDir, 'browser-error-pdf.png'),
      });
      const report = await detectInPage(page, dog, 'dog.jpg', {});
      checkDogDetections(report.detections, 'after the PDF, api/sightline');
    });

    await step('app: a dropped 200-megapixel PNG gives an error', async () => {
      await dropFiles(page, [{ name: 'huge.png', bytes: hugePngHeader(), type: 'image/png' }]);
      await page.waitForFunction(() =>
        window.sightline.state().errors.some((e) => e.includes('huge.png')), null,
      { timeout: 15_000 });
      const state = await appState(page);
      console.log(`    error shown: ${state.errors.find((e) => e.includes('huge.png'))}`);
      check(state.images.length === 3 && state.models.some((m) => m.active),
        'drop/huge: the app keeps its photo and model');
    });

    await step('app: a dropped broken .onnx gives an error', async () => {
      const before = await appState(page);
      const junk = Buffer.from('this is not a protobuf '.repeat(40));
      await dropFiles(page, [{ name: 'broken.onnx', bytes: junk, type: '' }]);
      await page.waitForFunction(() =>
        window.sightline.state().errors.some((e) => e.includes('broken.onnx')), null,
      { timeout: 15_000 });
      const after = await appState(page);
      console.log(`    error shown: ${after.errors.find((e) => e.includes('broken.onnx'))}`);
      check(after.models.length === before.models.length &&
        after.models.find((m) => m.active)?.name === 'yolox_nano',
      'drop/broken model: no model added, the active one is kept');
    });

    await step('app: a dropped .onnx with its card, then one without', async () => {
      const onnx = fs.readFileSync(path.join(modelsDir, 'yolox_nano.onnx'));
      const card = fs.readFileSync(path.join(repoRoot, 'models/yolox_nano.json'));
      const before = await appState(page);
      await dropFiles(page, [
        { name: 'yolox_nano.onnx', bytes: onnx, type: '' },
        { name: 'yolox_nano.json', bytes: card, type: 'application/json' },
      ]);
      await page.waitForFunction((count) => window.sightline.state().models.length > count,
        before.models.length, { timeout: 60_000 });
      let state = await appState(page);
      const withCard = state.models[state.models.length - 1];
      check(withCard.active && withCard.guess === '' && withCard.engine,
        'drop/model with card: added, active, no guess', JSON.stringify(withCard));

      await dropFiles(page, [{ name: 'yolox_nano.onnx', bytes: onnx, type: '' }]);
      await page.waitForFunction((count) => window.sightline.state().models.length > count,
        before.models.length + 1, { timeout: 60_000 });
      state = await appState(page);
      const guessed = state.models[state.models.length - 1];
      console.log(`    guess shown: ${guessed.guess}`);
      check(guessed.active && /yolox/i.test(guessed.guess),
        'drop/model without card: the guess says YOLOX', JSON.stringify(guessed));
      const image = await waitForImageDetections(page, 'dog.jpg');
      checkDogDetections(image.detections, 'guessed model');
    });

    await step('app: a model our engine cannot run falls back to ONNX Runtime Web', async () => {
      const file = path.join(os.tmpdir(), `sightline-erf-${process.pid}.onnx`);
      execFileSync('/usr/bin/python3',
        [path.join(repoRoot, 'tests/browser/make_unsupported_model.py'), file]);
      const bytes = fs.readFileSync(file);
      fs.rmSync(file);
      const before = await appState(page);
      await dropFiles(page, [{ name: 'erf_model.onnx', bytes, type: '' }]);
      await page.waitForFunction((count) => window.sightline.state().models.length > count,
        before.models.length, { timeout: 60_000 });
      const state = await appState(page);
      const model = state.models[state.models.length - 1];
      console.log(`    engine refused it: ${model.engine_error}`);
      check(model.active && !model.engine && /Erf/.test(model.engine_error) &&
        state.backend === 'onnxruntime',
      'unsupported model: added for ONNX Runtime only, with the reason our engine refused it',
      JSON.stringify(model));
      const image = await waitForImageDetections(page, 'dog.jpg');
      check(image.error === '', 'unsupported model: dog.jpg ran in ONNX Runtime Web', image.error);
      const message = await page.evaluate(async ({ base64 }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        return window.sightline.detect(new Blob([bytes]), { backend: 'sightline' })
          .then(() => 'resolved', (error) => error.message);
      }, { base64: dog.toString('base64') });
      check(/cannot run/.test(message) && /Erf/.test(message),
        'unsupported model: detect with our engine is refused with the reason', message);
    });
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
  }
}

async function testSite(browser, root, { headers, serviceWorkers, expectVariant, label }) {
  const { server, url } = await serve(root, headers);
  const context = await browser.newContext({ serviceWorkers });
  let page = null;
  try {
    await step(`site ${label}: loads and detects`, async () => {
      page = await openPage(context, url);
      const ready = await waitForReadyAcrossReload(page);
      check(ready.variant === expectVariant,
        `site ${label}: runs the ${expectVariant} build`, JSON.stringify(ready));
      if (expectVariant === 'single-thread') {
        const note = await page.locator('#notice');
        check(await note.isVisible() && /single-thread/i.test(await note.textContent()),
          `site ${label}: a visible note says it runs single-threaded`);
      }
      const report = await detectInPage(page, readPhoto('dog.jpg'), 'dog.jpg', {});
      checkDogDetections(report.detections, `site ${label}`);
      const shotName = `site-${label.replace(/[^a-z]+/g, '-')}.png`;
      await page.screenshot({ path: path.join(artifactsDir, shotName) });
    });
  } finally {
    if (page && failures.length) console.log(page.consoleLines.slice(-20).join('\n'));
    await context.close();
    server.close();
  }
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    execFileSync(path.join(repoRoot, 'scripts/build-site'), { stdio: 'inherit' });
    execFileSync(path.join(repoRoot, 'scripts/build-web'), { stdio: 'inherit' });
  }
  const { browser, close } = await launchBrowser();
  try {
    await testApp(browser, path.join(repoRoot, 'build/web'));
    const site = path.join(repoRoot, 'build/site');
    await testSite(browser, site, { headers: true, serviceWorkers: 'allow',
      expectVariant: 'threads', label: 'with headers' });
    await testSite(browser, site, { headers: false, serviceWorkers: 'allow',
      expectVariant: 'threads', label: 'without headers, service worker' });
    await testSite(browser, site, { headers: false, serviceWorkers: 'block',
      expectVariant: 'single-thread', label: 'without headers or service workers' });
  } finally {
    await close();
  }
  finishChecks('browser tests');
}

await main();
