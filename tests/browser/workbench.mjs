// Browser tests of the Evaluate, Runs and Monitor panels (headless Chromium, playwright-core):
//   - five COCO128 photos with their YOLO labels and classes.txt, dropped on the canvas, are
//     evaluated with the same twelve metrics, per-class AP and counts as the command line's
//     `sightline eval DIR --json --no-ledger` on the same files;
//   - the run is in the ledger (IndexedDB) and, after a page reload, still there and listed by
//     the app's Runs panel;
//   - broken datasets (a label line with 6 fields, a truncated COCO JSON) give messages in the
//     UI and the app keeps working;
//   - photos dropped in the gallery fill the monitor's window; the window saved as a baseline
//     survives a page reload; other photos darkened to 40% raise the brightness alarm;
//   - with --full, all 128 COCO128 photos are evaluated through sightline.evaluate and the time
//     is printed (and checked against the command line's metrics).
//
//   node tests/browser/workbench.mjs [--root DIR] [--full]
// DIR is an assembled web build (default build/web). The command line binary comes from
// $SIGHTLINE_CLI (default build/native/src/cli/sightline, which scripts/test builds first).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  appState, argument, artifactsDir, check, dataDir, dropFiles, failures, finishChecks,
  launchBrowser, openPage, repoRoot, serve, step, waitForReady,
} from './harness.mjs';

const METRICS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm',
  'ARl'];
// Both sides print metrics rounded to six decimals; the same computation gives the same text.
const METRIC_TOLERANCE = 2e-6;
const SMALL_SET = ['000000000009', '000000000025', '000000000030', '000000000034',
  '000000000036'];
const coco128 = path.join(dataDir, 'coco128');

// The YOLO files of the named photos: photo, <stem>.txt (when labelled), classes.txt.
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

function allStems() {
  return fs.readdirSync(path.join(coco128, 'images')).filter((name) => name.endsWith('.jpg'))
    .map((name) => name.slice(0, -4)).sort();
}

// `sightline eval DIR --json --no-ledger` on the same files written into a temporary folder
// (DIR/<jsonName> for a COCO dataset).
function cliReport(files, jsonName = '') {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-eval-'));
  try {
    for (const file of files) fs.writeFileSync(path.join(folder, file.name), file.bytes);
    const cli = process.env.SIGHTLINE_CLI ?? path.join(repoRoot, 'build/native/src/cli/sightline');
    const started = performance.now();
    const dataset = jsonName ? path.join(folder, jsonName) : folder;
    const output = execFileSync(cli, ['eval', dataset, '--json', '--no-ledger'],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
    return { report: JSON.parse(output.toString()), seconds: (performance.now() - started) / 1000 };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function compareReports(app, cli, where) {
  const differing = METRICS.filter((m) => !(Math.abs(app[m] - cli[m]) <= METRIC_TOLERANCE));
  check(differing.length === 0, `${where}: the 12 COCO metrics equal the command line's`,
    differing.map((m) => `${m}: app ${app[m]} vs cli ${cli[m]}`).join('; '));
  const classDifferences = cli.per_class.filter((cliClass) => {
    const appClass = app.per_class.find((c) => c.category_id === cliClass.category_id);
    return !appClass || ['AP', 'AP50', 'AP75', 'AR100'].some((m) =>
      !(Math.abs(appClass[m] - cliClass[m]) <= METRIC_TOLERANCE)) ||
      appClass.detections !== cliClass.detections;
  });
  check(classDifferences.length === 0 && app.per_class.length === cli.per_class.length,
    `${where}: per-class AP and detection counts equal the command line's`,
    classDifferences.map((c) => c.name).join(', '));
  check(['images', 'ground_truth', 'crowd', 'detections'].every((key) =>
    app.counts[key] === cli.counts[key]),
    `${where}: counts equal the command line's`,
    `${JSON.stringify(app.counts)} vs ${JSON.stringify(cli.counts)}`);
}

function waitForEvaluation(page, after, timeout = 600_000) {
  return page.waitForFunction((after) => {
    const session = window.sightline.evaluation();
    return session.number > after && (session.phase === 'done' || session.phase === 'failed')
      ? session : null;
  }, after, { timeout, polling: 250 }).then((handle) => handle.jsonValue());
}

async function shoot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(artifactsDir, name) });
}

async function reload(page) {
  await page.reload();
  await waitForReady(page);
}

async function testEvaluation(page) {
  const files = yoloFiles(SMALL_SET);
  const cli = cliReport(files);
  let session = null;
  await step('evaluate: a dropped YOLO set is evaluated', async () => {
    const before = await page.evaluate(() => window.sightline.evaluation().number);
    await dropFiles(page, files);
    session = await waitForEvaluation(page, before);
    check(session.phase === 'done', 'evaluate/drop: the evaluation finished', session.fatal);
    check(session.total === SMALL_SET.length && session.done === SMALL_SET.length,
      'evaluate/drop: every photo was run', `${session.done}/${session.total}`);
    compareReports(session.report, cli.report, 'evaluate/drop');
    check(/^[0-9a-f]{10}$/.test(session.run_id), 'evaluate/drop: the run got a ledger id',
      session.run_id);
    console.log(`    AP ${session.report.AP} AP50 ${session.report.AP50} in ${session.seconds} s`);
    await shoot(page, 'workbench-evaluate.png');
    const wrongOrBackground = session.report.errors.false_positives.findIndex(
      (error) => error.kind !== 'duplicate');
    await page.evaluate((index) => window.sightline.showEvaluationError('false_positive', index),
      Math.max(0, wrongOrBackground));
    await shoot(page, 'workbench-evaluate-error.png');
    const refused = await page.evaluate(() => {
      try {
        window.sightline.showEvaluationError('missed', 100000);
        return 'accepted';
      } catch (error) {
        return error.message;
      }
    });
    check(/no missed with index 100000/.test(refused),
      'evaluate: the error viewer refuses an index beyond the errors', refused);
  });
  if (!session?.run_id) return;

  await step('runs: the run is in IndexedDB and survives a reload', async () => {
    const runs = await page.evaluate(() => window.sightline.runs());
    const run = runs.find((r) => r.id === session.run_id);
    check(run && Math.abs(run.metrics.AP - cli.report.AP) <= METRIC_TOLERANCE &&
      run.images === SMALL_SET.length && run.model === 'yolox_nano' &&
      Math.abs(run.conf - 0.001) < 1e-6 && run.max_det === 100,
    'runs: the ledger record holds the model, settings and metrics', JSON.stringify(run));
    await reload(page);
    const after = await page.evaluate(() => window.sightline.runs());
    check(after.some((r) => r.id === session.run_id),
      'runs: after a reload the run is in IndexedDB');
    const listed = await page.evaluate(() => window.sightline.evaluation().ledger_runs);
    check(listed.includes(session.run_id), 'runs: after a reload the Runs panel lists the run',
      JSON.stringify(listed));
    await page.evaluate(() => window.sightline.setWorkspace('runs'));
    await shoot(page, 'workbench-runs.png');
  });
}

async function testBadDatasets(page) {
  await step('evaluate: a label line with 6 fields is reported, not fatal', async () => {
    const files = yoloFiles(SMALL_SET.slice(0, 2));
    const label = files.find((f) => f.name === `${SMALL_SET[0]}.txt`);
    label.bytes = Buffer.concat([label.bytes, Buffer.from('3 0.5 0.5 0.1 0.1 0.9\n')]);
    const before = await page.evaluate(() => window.sightline.evaluation().number);
    await dropFiles(page, files);
    const session = await waitForEvaluation(page, before);
    const issue = session.issues.find((i) => i.location.includes(`${SMALL_SET[0]}.txt`));
    console.log(`    issue shown: ${issue?.location}: ${issue?.rule}`);
    check(session.phase === 'done' && issue && /6/.test(issue.rule),
      'bad labels: the 6-field line is a validation issue naming the file and line',
      JSON.stringify(session.issues));
  });
  await step('evaluate: a truncated COCO JSON gives a message and nothing is lost', async () => {
    const json = fs.readFileSync(path.join(coco128, 'instances_train2017_coco128.json'));
    const truncated = json.subarray(0, Math.floor(json.length / 2));
    const before = await appState(page);
    const number = await page.evaluate(() => window.sightline.evaluation().number);
    await dropFiles(page, [{ name: 'broken.json', bytes: truncated, type: 'application/json' },
      { name: `${SMALL_SET[0]}.jpg`, type: 'image/jpeg',
        bytes: fs.readFileSync(path.join(coco128, 'images', `${SMALL_SET[0]}.jpg`)) }]);
    const session = await waitForEvaluation(page, number);
    console.log(`    message shown: ${session.fatal}`);
    const after = await appState(page);
    check(session.phase === 'failed' && /broken\.json/.test(session.fatal),
      'truncated COCO JSON: the evaluation fails with a message naming the file', session.fatal);
    check(after.errors.some((e) => e.includes('broken.json')) &&
      after.models.length === before.models.length,
    'truncated COCO JSON: the error banner shows it; the models are kept');
    const runs = await page.evaluate(() => window.sightline.runs());
    check(runs.length >= 1, 'truncated COCO JSON: the ledger is kept', String(runs.length));
  });
  await step('evaluate: files that are no dataset are refused by the API', async () => {
    const message = await page.evaluate(() => window.sightline.evaluate(
      [new File([new Uint8Array([1, 2, 3])], 'a.txt')]).then(() => 'resolved', (e) => e.message));
    check(/classes\.txt/.test(message), 'evaluate API: the rule is named in the refusal', message);
  });
}

// Drops copies of the photos darkened to 40% brightness, made by the browser's canvas.
async function dropDarkenedPhotos(page, stems) {
  const payload = stems.map((stem) => ({ name: `dark-${stem}.jpg`,
    base64: fs.readFileSync(path.join(coco128, 'images', `${stem}.jpg`)).toString('base64') }));
  await page.evaluate(async (payload) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of payload) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      context.filter = 'brightness(40%)';
      context.drawImage(bitmap, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      transfer.items.add(new File([blob], name, { type: 'image/jpeg' }));
    }
    const target = document.getElementById('canvas');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
        cancelable: true }));
    }
  }, payload);
}

async function testMonitor(page) {
  const stems = allStems().slice(0, 24);
  await step('monitor: dropped photos fill the window; a saved baseline survives a reload',
    async () => {
      await page.evaluate(() => window.sightline.setWorkspace('monitor'));
      await dropFiles(page, stems.map((stem) => ({ name: `${stem}.jpg`, type: 'image/jpeg',
        bytes: fs.readFileSync(path.join(coco128, 'images', `${stem}.jpg`)) })));
      await page.waitForFunction((count) => {
        const monitor = window.sightline.monitor();
        return monitor.window_photos >= count && monitor.pending === 0;
      }, stems.length, { timeout: 600_000, polling: 250 });
      const saved = await page.evaluate(() => window.sightline.saveBaseline());
      check(saved.baseline_photos === stems.length && saved.window_has_model,
        'monitor: the window of photos with model outputs is saved as the baseline',
        JSON.stringify({ ...saved, drift: undefined }));
      check(saved.drift?.tests?.length > 0 && saved.drift.alarm === false,
        'monitor: the window tested against itself raises no alarm',
        JSON.stringify(saved.drift?.tests?.filter((t) => t.alarm)));
      await shoot(page, 'workbench-monitor.png');
      await reload(page);
      const restored = await page.evaluate(() => window.sightline.monitor());
      check(restored.baseline_photos === stems.length &&
        /IndexedDB/.test(restored.baseline_source),
      'monitor: after a reload the baseline is back from IndexedDB', JSON.stringify(restored));
      const few = await page.evaluate(() => window.sightline.monitor());
      const notEnough = few.drift?.tests?.every((t) => t.status.startsWith('not enough'));
      check(notEnough, 'monitor: an empty window says "not enough photos yet" instead of testing',
        JSON.stringify(few.drift?.tests?.map((t) => t.status)));
      await dropDarkenedPhotos(page, allStems().slice(24, 48));
      const darkened = await page.waitForFunction((count) => {
        const monitor = window.sightline.monitor();
        return monitor.window_photos >= count && monitor.pending === 0 ? monitor : null;
      }, 24, { timeout: 600_000, polling: 250 }).then((handle) => handle.jsonValue());
      const brightness = darkened.drift?.tests?.find((t) => t.feature === 'brightness');
      const alarms = darkened.drift?.tests?.filter((t) => t.alarm).map((t) => t.feature);
      console.log(`    darkened: brightness KS D ${brightness?.statistic?.toFixed(3)}, ` +
        `p ${brightness?.p_value?.toExponential(2)}, ` +
        `mean ${brightness?.baseline_mean?.toFixed(1)} -> ` +
        `${brightness?.window_mean?.toFixed(1)}; ` +
        `alarms: ${alarms?.join(', ')}`);
      check(darkened.drift?.alarm === true && brightness?.alarm === true,
        'monitor: 24 other photos darkened to 40% raise the brightness alarm');
      await shoot(page, 'workbench-monitor-darkened.png');
      const bad = await page.evaluate(() => window.sightline.loadBaseline('{"format": 1')
        .then(() => 'resolved', (e) => e.message));
      check(bad !== 'resolved', 'monitor: a broken baseline is refused with a message', bad);
    });
}

async function testFullSet(page) {
  await step('evaluate: all COCO128 photos (YOLO labels) through sightline.evaluate', async () => {
    await evaluateFullSet(page, yoloFiles(allStems()), '', 'coco128');
  });
  await step('evaluate: all COCO128 photos (COCO JSON) through sightline.evaluate', async () => {
    const jsonName = 'instances_train2017_coco128.json';
    const files = [{ name: jsonName, bytes: fs.readFileSync(path.join(coco128, jsonName)) },
      ...allStems().map((stem) => ({ name: `${stem}.jpg`,
        bytes: fs.readFileSync(path.join(coco128, 'images', `${stem}.jpg`)) }))];
    await evaluateFullSet(page, files, jsonName, 'coco128 json');
  });
}

async function evaluateFullSet(page, files, jsonName, where) {
  const cli = cliReport(files, jsonName);
  const payload = files.map(({ name, bytes }) => ({ name, base64: bytes.toString('base64') }));
  const report = await page.evaluate(async (payload) => {
    const files = payload.map(({ name, base64 }) =>
      new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    return window.sightline.evaluate(files);
  }, payload);
  compareReports(report, cli.report, where);
  const perPhoto = (1000 * report.session.seconds / report.session.total).toFixed(1);
  console.log(`    ${where} in the browser: ${report.session.seconds.toFixed(2)} s for ` +
    `${report.session.total} photos (${perPhoto} ms per photo); command line ` +
    `${cli.seconds.toFixed(2)} s; AP ${report.AP} AP50 ${report.AP50}`);
}

async function main() {
  const root = path.resolve(argument('--root', path.join(repoRoot, 'build/web')));
  const { browser, close } = await launchBrowser();
  const { server, url } = await serve(root, true);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await openPage(context, url);
  try {
    await waitForReady(page);
    await testEvaluation(page);
    await testBadDatasets(page);
    await testMonitor(page);
    if (process.argv.includes('--full')) await testFullSet(page);
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
    await close();
  }
  finishChecks('workbench browser tests');
}

await main();
