// Browser tests of the Compare panel (headless Chromium, playwright-core):
//   - the seven sample photos (../shared/data/samples) dropped in the gallery; YOLOX-Nano
//     compared with itself agrees fully (1.0) on every photo, dog.jpg included;
//   - YOLOX-Nano on our engine against the same model in ONNX Runtime Web: near-full agreement
//     (figures printed);
//   - YOLOX-Nano against YOLOv8n int8 (../shared/models, dropped with its card when the site
//     does not ship it; our engine runs its ConvInteger): real disagreements are listed, most
//     first, with the boxes only one side found;
//   - Promote: the candidate becomes the active model, the roles swap in the report;
//   - with labels (three COCO128 photos with their YOLO labels dropped, so the Evaluate panel
//     reads them): both models evaluated, both runs in the ledger (IndexedDB) side by side,
//     the active model put back;
//   - an unknown candidate is refused with the list of models.
// Screenshots of the panel go to build/artifacts/compare-*.png.
//
//   node tests/browser/compare.mjs [--root DIR]
// DIR is an assembled web build (default build/web). Exits non-zero and names each failed check.
import fs from 'node:fs';
import path from 'node:path';

import {
  appState, argument, artifactsDir, check, dataDir, dropFiles, failures, finishChecks,
  launchBrowser, modelsDir, openPage, repoRoot, serve, step, waitForReady,
} from './harness.mjs';

const SAMPLES = fs.readdirSync(path.join(dataDir, 'samples'))
  .filter((name) => name.endsWith('.jpg')).sort();
const SECOND_MODEL = 'yolov8n_int8';
const LABELLED_SET = ['000000000009', '000000000025', '000000000030'];
const coco128 = path.join(dataDir, 'coco128');

async function shoot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(artifactsDir, name) });
}

function compareInPage(page, options) {
  return page.evaluate((options) => window.sightline.compare(options), options);
}

function printReport(where, state) {
  const s = state.report.summary;
  console.log(`    ${where}: agreement ${s.agreement.toFixed(3)} (mean per photo ` +
    `${s.mean_photo_agreement.toFixed(3)}), boxes P ${s.primary_boxes} C ${s.candidate_boxes} ` +
    `matched ${s.matched}, |score diff| ${s.mean_abs_score_difference.toFixed(4)}, median ` +
    `inference ms P ${s.latency_ms.primary.median.inference.toFixed(1)} C ` +
    `${s.latency_ms.candidate.median.inference.toFixed(1)}`);
  for (const photo of state.report.photos) {
    console.log(`      ${photo.name.padEnd(12)} ${photo.agreement.toFixed(3)}  P ` +
      `${photo.primary_boxes} C ${photo.candidate_boxes} only P ${photo.only_primary.length}` +
      ` only C ${photo.only_candidate.length}`);
  }
}

async function dropSamples(page) {
  await dropFiles(page, SAMPLES.map((name) => ({ name, type: 'image/jpeg',
    bytes: fs.readFileSync(path.join(dataDir, 'samples', name)) })));
  await page.evaluate(() => window.sightline.dropsSettled?.());
  await page.waitForFunction((count) => {
    const state = window.sightline.state();
    return state.images.length >= count && state.busy_jobs === 0;
  }, SAMPLES.length, { timeout: 300_000, polling: 250 });
}

async function testSelfComparison(page) {
  await step('compare: YOLOX-Nano against itself', async () => {
    const state = await compareInPage(page, { candidate: { model: 'yolox_nano' } });
    printReport('yolox_nano vs itself', state);
    const photos = state.report.photos;
    check(state.total === SAMPLES.length && photos.length === SAMPLES.length,
      'self: every sample photo was compared', `${photos.length}/${SAMPLES.length}`);
    check(photos.every((p) => p.agreement === 1 && p.only_primary.length === 0 &&
      p.only_candidate.length === 0), 'self: agreement 1.0 on every photo, nothing unmatched',
    JSON.stringify(photos.map((p) => [p.name, p.agreement])));
    const dog = photos.find((p) => p.name === 'dog.jpg');
    check(dog && dog.agreement === 1 && dog.primary_boxes >= 3 && dog.matched === dog.primary_boxes,
      'self: dog.jpg agrees fully with its dog, bicycle and car found', JSON.stringify(dog));
    check(state.report.summary.agreement === 1 && state.report.summary.primary_boxes > 0,
      'self: total agreement 1.0 over real boxes', JSON.stringify(state.report.summary));
  });
}

async function testOtherBackend(page) {
  await step('compare: our engine against ONNX Runtime Web (same model)', async () => {
    const state = await compareInPage(page,
      { candidate: { model: 'yolox_nano', backend: 'onnxruntime' } });
    printReport('yolox_nano sightline vs onnxruntime', state);
    check(state.candidate.backend === 'onnxruntime' && state.errors.length === 0,
      'backend: the candidate ran in ONNX Runtime Web without errors',
      JSON.stringify(state.errors));
    check(state.report.summary.agreement >= 0.9 && state.report.photos.length === SAMPLES.length,
      'backend: the two backends agree (>= 0.9) on every sample photo',
      String(state.report.summary.agreement));
  });
}

async function ensureSecondModel(page) {
  const usable = (m) => m.name === SECOND_MODEL && !m.unavailable;
  if ((await appState(page)).models.some(usable)) return;
  // Not shipped with this site: dropped with its card, as a user would.
  const card = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models', `${SECOND_MODEL}.json`)));
  await dropFiles(page, [
    { name: `${SECOND_MODEL}.json`, type: 'application/json',
      bytes: fs.readFileSync(path.join(repoRoot, 'models', `${SECOND_MODEL}.json`)) },
    { name: card.file, type: 'application/octet-stream',
      bytes: fs.readFileSync(path.join(modelsDir, card.file)) }]);
  await page.evaluate(() => window.sightline.dropsSettled?.());
  await page.waitForFunction((name) => window.sightline.state().models.some((m) =>
    m.name === name && !m.unavailable && (m.engine || !m.engine_error)), SECOND_MODEL,
  { timeout: 120_000, polling: 250 });
}

async function testSecondModelAndPromote(page) {
  let before = null;
  await step('compare: YOLOX-Nano against YOLOv8n int8', async () => {
    await ensureSecondModel(page);
    const model = (await appState(page)).models.find((m) => m.name === SECOND_MODEL &&
      !m.unavailable);
    console.log(`    ${SECOND_MODEL}: our engine ${model.engine ? 'runs it' : 'cannot run it'}` +
      `${model.engine_error ? ` (${model.engine_error})` : ''}`);
    before = await compareInPage(page, { primary: { model: 'yolox_nano' },
      candidate: { model: SECOND_MODEL, backend: model.engine ? 'sightline' : 'onnxruntime' } });
    printReport(`yolox_nano vs ${SECOND_MODEL}`, before);
    const photos = before.report.photos;
    check(before.primary.model === 'yolox_nano' && before.candidate.model === SECOND_MODEL &&
      photos.length === SAMPLES.length && before.errors.length === 0,
    'second model: every sample photo compared, no errors', JSON.stringify(before.errors));
    const unmatched = photos.reduce((n, p) => n + p.only_primary.length +
      p.only_candidate.length, 0);
    check(before.report.summary.agreement < 1 && unmatched > 0 &&
      photos.some((p) => p.agreement < 1),
    'second model: real disagreements are listed (boxes only one side found)',
    `agreement ${before.report.summary.agreement}, unmatched ${unmatched}`);
    check(photos.every((p, i) => i === 0 || photos[i - 1].agreement <= p.agreement),
      'second model: photos are listed most disagreement first');
    const listedBox = photos.flatMap((p) => [...p.only_primary, ...p.only_candidate])[0];
    check(listedBox && typeof listedBox.label === 'string' && listedBox.box.length === 4,
      'second model: an unmatched box comes with its label, score and box',
      JSON.stringify(listedBox));
    check(photos.every((p) => Number.isInteger(p.image_id)),
      'second model: each photo names its gallery image id');
    check(before.report.summary.latency_ms.candidate.median.inference > 0 &&
      before.report.summary.latency_ms.primary.median.inference > 0,
    'second model: both latencies are measured');
    await page.evaluate((id) => window.sightline.selectImage(id), photos[0].image_id);
    await page.evaluate(() => window.sightline.setWorkspace('compare'));
    await shoot(page, 'compare-second-model.png');
  });
  if (!before) return;

  await step('promote: the candidate becomes the primary model', async () => {
    const promoted = await page.evaluate(() => window.sightline.promote());
    const state = await appState(page);
    const active = state.models.find((m) => m.active);
    check(active?.name === SECOND_MODEL, 'promote: the active model is now the candidate',
      active?.name);
    check(promoted.primary.model === SECOND_MODEL && promoted.candidate.model === 'yolox_nano',
      'promote: the old primary is now the candidate',
      `${promoted.primary.model} / ${promoted.candidate.model}`);
    const was = before.report.summary;
    const now = promoted.report.summary;
    check(now.only_primary === was.only_candidate && now.only_candidate === was.only_primary &&
      now.primary_boxes === was.candidate_boxes,
    'promote: the report swaps sides (only primary <-> only candidate)',
    `${JSON.stringify(was)} -> ${JSON.stringify(now)}`);
    await page.waitForFunction((name) => {
      const s = window.sightline.state();
      const image = s.images.find((i) => i.selected);
      return s.busy_jobs === 0 && image?.detections_ready;
    }, SECOND_MODEL, { timeout: 120_000, polling: 250 });
    await shoot(page, 'compare-promoted.png');
  });
}

function labelledFiles(stems) {
  const files = [{ name: 'classes.txt', type: 'text/plain',
    bytes: fs.readFileSync(path.join(coco128, 'classes.txt')) }];
  for (const stem of stems) {
    files.push({ name: `${stem}.jpg`, type: 'image/jpeg',
      bytes: fs.readFileSync(path.join(coco128, 'images', `${stem}.jpg`)) });
    files.push({ name: `${stem}.txt`, type: 'text/plain',
      bytes: fs.readFileSync(path.join(coco128, 'labels', `${stem}.txt`)) });
  }
  return files;
}

async function testDatasetComparison(page) {
  await step('compare with labels: both models evaluated, both runs in the ledger', async () => {
    const activeBefore = (await appState(page)).models.find((m) => m.active)?.name;
    const evaluationNumber = await page.evaluate(() => window.sightline.evaluation().number);
    await dropFiles(page, labelledFiles(LABELLED_SET));
    await page.evaluate(() => window.sightline.dropsSettled?.());
    await page.waitForFunction((after) => {
      const session = window.sightline.evaluation();
      return session.number > after && (session.phase === 'done' || session.phase === 'failed');
    }, evaluationNumber, { timeout: 600_000, polling: 250 });
    const other = activeBefore === SECOND_MODEL ? 'yolox_nano' : SECOND_MODEL;
    const plan = await page.evaluate((model) =>
      window.sightline.compareDataset({ candidate: { model } }), other);
    console.log(`    runs: primary ${plan.primary_run}, candidate ${plan.candidate_run}: ` +
      plan.message);
    const runs = await page.evaluate(() => window.sightline.runs());
    const primary = runs.find((r) => r.id === plan.primary_run);
    const candidate = runs.find((r) => r.id === plan.candidate_run);
    check(primary && candidate && primary.id !== candidate.id,
      'labels: two runs recorded in the ledger (IndexedDB)', JSON.stringify(plan));
    if (!primary || !candidate) return;
    console.log(`    ${primary.model}: AP ${primary.metrics.AP.toFixed(4)} AP50 ` +
      `${primary.metrics.AP50.toFixed(4)}; ${candidate.model}: AP ` +
      `${candidate.metrics.AP.toFixed(4)} AP50 ${candidate.metrics.AP50.toFixed(4)}`);
    check(primary.model === activeBefore && candidate.model === other &&
      primary.images === LABELLED_SET.length && candidate.images === LABELLED_SET.length,
    'labels: the runs are the primary and the candidate on the same photos',
    `${primary.model}/${primary.images} vs ${candidate.model}/${candidate.images}`);
    const active = (await appState(page)).models.find((m) => m.active)?.name;
    check(active === activeBefore, 'labels: the active model is put back afterwards', active);
    await page.waitForTimeout(500);
    await shoot(page, 'compare-dataset-runs.png');
  });
}

async function testRefusal(page) {
  await step('compare: an unknown candidate is refused', async () => {
    const message = await page.evaluate(() => window.sightline.compare(
      { candidate: { model: 'no_such_model' } }).then(() => 'resolved', (e) => e.message));
    check(/no_such_model/.test(message) && /yolox_nano/.test(message),
      'refusal: the message names the model and lists the loaded ones', message);
  });
}

async function main() {
  const root = path.resolve(argument('--root', path.join(repoRoot, 'build/web')));
  const { browser, close } = await launchBrowser();
  const { server, url } = await serve(root, true);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await openPage(context, url);
  try {
    await waitForReady(page);
    await dropSamples(page);
    await testSelfComparison(page);
    await testOtherBackend(page);
    await testSecondModelAndPromote(page);
    await testDatasetComparison(page);
    await testRefusal(page);
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
    await close();
  }
  finishChecks('compare browser tests');
}

await main();
