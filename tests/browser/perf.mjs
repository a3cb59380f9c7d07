// Browser tests of the Performance panel and sightline.profile (headless Chromium,
// playwright-core):
//   - before any photo, profile() is refused with a message naming the missing photo, and a
//     run count outside [1, 1000] with a RangeError;
//   - dog.jpg dropped and detected: performance() gives its stage timings and the kernels
//     ("wasm-simd128, N threads" with the app's thread count);
//   - profile({runs: 10}): the page keeps drawing frames while it runs (one run per frame);
//     10 runs after 1 warm-up; as many nodes as the engine plans, and the same plan as the
//     native engine's `sightline bench --profile --json` (step count, op types, total flops);
//     op-type and node times sum to the total within 3%; Conv+SiLU present with flops > 0;
//     rows by descending time; GFLOP/s finite, > 0 and equal to flops / time; the steps' time
//     per run within the whole run's wall time; the photo and its detections still there;
//   - cancelProfile() stops a long profile with a "cancelled" rejection;
//   - with ONNX Runtime Web active: profile() is refused (Sightline's engine only), and the
//     panel's stage timings and kernels are ONNX Runtime Web's once the photo ran there.
// Screenshots of the panel go to build/artifacts/perf-panel-<variant>.png (our engine) and
// perf-panel-<variant>-onnxruntime.png.
//
//   node tests/browser/perf.mjs [--root DIR] [--cli PATH] [--single-thread]
// DIR is an assembled web build (default build/web); PATH the native CLI (default
// build/native/src/cli/sightline); --single-thread serves the page without the isolation
// headers (and blocks the isolation service worker), so it runs the single-thread build.
// Exits non-zero and names each failed check.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  api, argument, artifactsDir, check, dataDir, dropPhoto, failures, finishChecks, launchBrowser,
  nativeCli, openBuildPage, repoRoot, step, waitForImageDetections,
} from './harness.mjs';

const PHOTO = 'dog.jpg';
const RUNS = 10;
// Op-type and node times are sums of the same per-step means as the total; 3% leaves room
// for rounding only.
const SUM_TOLERANCE = 0.03;

// The promise's rejection message, or null when it resolved.
function rejection(page, name, ...args) {
  return page.evaluate(({ name, args }) => window.sightline[name](...args).then(
    () => null, (error) => `${error.name}: ${error.message}`), { name, args });
}

function sum(values) {
  return values.reduce((total, value) => total + value, 0);
}

function relativeDifference(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

// The native engine's profile of the same model and photo (one run is enough for its plan).
function nativeProfile(cli) {
  const output = execFileSync(cli, ['bench', path.join(dataDir, 'samples', PHOTO), '--profile',
    '--json', '--runs', '1', '--warmup', '0'], { cwd: repoRoot, encoding: 'utf8' });
  return JSON.parse(output).profile;
}

async function testRefusalsWithoutPhoto(page) {
  await step('profile without a photo', async () => {
    const message = await rejection(page, 'profile', { runs: 3 });
    check(/no photo: drop a photo first/.test(message ?? ''),
      'profile() before any photo is refused with a message', String(message));
    const range = await rejection(page, 'profile', { runs: 0 });
    check(/RangeError: profile runs 0 is not a whole number in \[1, 1000\]/.test(range ?? ''),
      'profile({runs: 0}) is refused with a RangeError naming the value and range',
      String(range));
  });
}

async function testStageTimings(page) {
  await step('stage timings of the dropped photo', async () => {
    const state = await api(page, 'state');
    const performance = await api(page, 'performance');
    const last = performance.last ?? {};
    check(performance.backend === 'sightline' && performance.photos >= 1 &&
      last.photo === PHOTO && last.decode > 0 && last.preprocess > 0 && last.inference > 0 &&
      last.postprocess >= 0,
    `the last photo's stages: decode ${last.decode?.toFixed(1)}, preprocess ` +
      `${last.preprocess?.toFixed(1)}, inference ${last.inference?.toFixed(1)}, postprocess ` +
      `${last.postprocess?.toFixed(2)} ms`, JSON.stringify(performance));
    const inference = performance.summary?.inference ?? {};
    check(inference.min <= inference.median && inference.median <= inference.max &&
      inference.max > 0, `inference median ${inference.median?.toFixed(1)} ms over ` +
      `${performance.photos} photo(s), min ${inference.min?.toFixed(1)}, max ` +
      `${inference.max?.toFixed(1)}`, JSON.stringify(performance.summary));
    const threads = `${state.threads} thread${state.threads === 1 ? '' : 's'}`;
    check(performance.kernel === `wasm-simd128, ${threads}`,
      `kernels "${performance.kernel}" with the app's ${threads}`);
  });
}

async function testProfile(page, cli, variant) {
  await step('profile of dog.jpg in our engine', async () => {
    const before = (await api(page, 'state')).images.find((i) => i.name === PHOTO);
    // Frames the page draws while the profile runs: the runs must not block it throughout.
    const outcome = await page.evaluate(async (runs) => {
      let frames = 0;
      let counting = true;
      const tick = () => {
        frames += 1;
        if (counting) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const start = performance.now();
      const profile = await window.sightline.profile({ runs });
      counting = false;
      return { profile, frames, seconds: (performance.now() - start) / 1000 };
    }, RUNS);
    const { profile, frames } = outcome;
    console.log(`profile (${variant}): ${profile.total_ms.toFixed(2)} ms in ` +
      `${profile.nodes.length} steps, ${(profile.total_flops / 1e9).toFixed(3)} GFLOP, ` +
      `${profile.gflops.toFixed(1)} GFLOP/s, ${profile.kernel}; whole run median ` +
      `${profile.wall_ms.median.toFixed(2)} ms; took ${outcome.seconds.toFixed(1)} s`);
    for (const type of profile.op_types.slice(0, 5)) {
      console.log(`  ${type.op_type.padEnd(14)} ${String(type.steps).padStart(4)} steps ` +
        `${type.ms.toFixed(3).padStart(8)} ms ${(100 * type.share).toFixed(1).padStart(5)}% ` +
        `${type.gflops.toFixed(1).padStart(6)} GFLOP/s`);
    }

    check(frames > RUNS, `the page drew ${frames} frames while profiling (one run per frame)`);
    check(profile.runs === RUNS && profile.warmup_runs === 1 && profile.photo === PHOTO &&
      profile.backend === 'sightline', `${profile.runs} runs after ${profile.warmup_runs} ` +
      `warm-up on ${profile.photo}`);
    check(profile.nodes.length === profile.planned_steps && profile.nodes.length > 100,
      `${profile.nodes.length} nodes, as many as the engine's ${profile.planned_steps} steps`);
    const kernel = (await api(page, 'performance')).kernel;
    check(profile.kernel === kernel && profile.kernel.startsWith('wasm-simd128'),
      `the profile names the kernels "${profile.kernel}"`);

    const native = nativeProfile(cli);
    const opTypes = (rows) => [...new Set(rows.map((row) => row.op_type))].sort().join(',');
    const nativeFlops = sum(native.nodes.map((node) => node.flops));
    check(native.nodes.length === profile.nodes.length &&
      opTypes(native.nodes) === opTypes(profile.nodes) && nativeFlops === profile.total_flops,
    `the native engine plans the same ${native.nodes.length} steps, op types and ` +
      `${nativeFlops} flops`, JSON.stringify({ native: opTypes(native.nodes),
      web: opTypes(profile.nodes), nativeFlops, webFlops: profile.total_flops }));

    const typeMs = sum(profile.op_types.map((type) => type.ms));
    const nodeMs = sum(profile.nodes.map((node) => node.ms));
    check(relativeDifference(typeMs, profile.total_ms) <= SUM_TOLERANCE &&
      relativeDifference(nodeMs, profile.total_ms) <= SUM_TOLERANCE,
    `op-type times sum to ${typeMs.toFixed(3)} ms and node times to ${nodeMs.toFixed(3)} ms ` +
      `of the total ${profile.total_ms.toFixed(3)} ms`);
    check(sum(profile.op_types.map((type) => type.steps)) === profile.nodes.length &&
      Math.abs(sum(profile.op_types.map((type) => type.share)) - 1) < 1e-6,
    'op types cover every step once and their shares sum to 1');
    const flopsMatch = profile.op_types.every((type) => type.flops === sum(profile.nodes
      .filter((node) => node.op_type === type.op_type).map((node) => node.flops)));
    check(flopsMatch, 'each op type\'s flops are its nodes\' flops');

    const conv = profile.op_types.find((type) => type.op_type === 'Conv+SiLU');
    check(conv && conv.steps > 0 && conv.flops > 0 && conv.gflops > 0,
      `Conv+SiLU: ${conv?.steps} steps, ${(conv?.flops / 1e9).toFixed(3)} GFLOP, ` +
      `${conv?.gflops.toFixed(1)} GFLOP/s`);
    const descending = (rows) => rows.every((row, i) => i === 0 || rows[i - 1].ms >= row.ms);
    check(descending(profile.op_types) && descending(profile.nodes),
      'op types and nodes come by descending time');
    check(Number.isFinite(profile.gflops) && profile.gflops > 0 &&
      relativeDifference(profile.gflops, profile.total_flops / (profile.total_ms * 1e6)) < 1e-6,
    `overall ${profile.gflops.toFixed(2)} GFLOP/s = total flops / total time`);
    // Each run's wall time holds its steps, so the medians keep that order; the total is the
    // steps' mean, within their spread.
    const steps = profile.step_sum_ms;
    check(steps.median > 0 && steps.median <= profile.wall_ms.median &&
      steps.min <= profile.total_ms && profile.total_ms <= steps.max,
    `the steps' median ${steps.median.toFixed(2)} ms per run fits in the whole run's median ` +
      `${profile.wall_ms.median.toFixed(2)} ms; the total ${profile.total_ms.toFixed(2)} ms ` +
      `is within [${steps.min.toFixed(2)}, ${steps.max.toFixed(2)}]`);

    const after = await api(page, 'state');
    const image = after.images.find((i) => i.name === PHOTO);
    check(image && image.detections.length === before.detections.length &&
      after.errors.length === 0, `${PHOTO} and its ${before.detections.length} detections are ` +
      'still there, no error shown', JSON.stringify(after.errors));
    const panel = await api(page, 'performance');
    check(panel.profile.phase === 'done' && panel.panel_frames > RUNS,
      `the Performance panel was drawn (${panel.panel_frames} frames) and shows the profile`);
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, `perf-panel-${variant}.png`) });
  });
}

async function testCancel(page) {
  await step('cancel a long profile', async () => {
    const message = await page.evaluate(async () => {
      const running = window.sightline.profile({ runs: 1000 }).then(
        () => null, (error) => error.message);
      await new Promise((resolve) => setTimeout(resolve, 400));
      window.sightline.cancelProfile();
      return running;
    });
    check(/^profile cancelled: cancelled after \d+ of 1000 runs$/.test(message ?? ''),
      'cancelProfile() ends a running profile with a "cancelled" rejection', String(message));
  });
}

async function testOnnxRuntime(page, variant) {
  await step('ONNX Runtime Web active', async () => {
    await api(page, 'setBackend', 'onnxruntime');
    const message = await rejection(page, 'profile', { runs: 3 });
    check(/available for Sightline's engine only/.test(message ?? ''),
      'profile() with ONNX Runtime Web active says the profile is Sightline\'s engine\'s only',
      String(message));
    await waitForImageDetections(page, PHOTO);
    const performance = await api(page, 'performance');
    check(performance.backend === 'onnxruntime' && performance.last?.photo === PHOTO &&
      performance.last.inference > 0 && performance.kernel.startsWith('ONNX Runtime Web'),
    `stage timings with ONNX Runtime Web: inference ${performance.last?.inference?.toFixed(1)} ` +
      `ms (${performance.kernel})`, JSON.stringify(performance));
    await api(page, 'setWorkspace', 'performance');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(
      () => requestAnimationFrame(resolve))));
    await page.screenshot({
      path: path.join(artifactsDir, `perf-panel-${variant}-onnxruntime.png`),
    });
    await api(page, 'setBackend', 'sightline');
  });
}

async function main() {
  const root = path.resolve(argument('--root', path.join(repoRoot, 'build/web')));
  const cli = nativeCli();
  const { browser, close } = await launchBrowser();
  const singleThread = process.argv.includes('--single-thread');
  const variant = singleThread ? 'st' : 'mt';
  const { server, context, page } = await openBuildPage(browser, root, singleThread);
  try {
    await testRefusalsWithoutPhoto(page);
    await dropPhoto(page, PHOTO);
    await testStageTimings(page);
    await testProfile(page, cli, variant);
    await testCancel(page);
    await testOnnxRuntime(page, variant);
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
    await close();
  }
  finishChecks(`performance browser tests (${variant})`);
}

await main();
