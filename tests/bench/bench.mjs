// The measuring half of scripts/bench (which builds the drivers first): YOLOX-Nano on the sample
// photos, our engine against ONNX Runtime, natively (model_bench vs onnxruntime-node) and as
// WebAssembly under Node (model_bench.js vs onnxruntime-web's wasm backend), at each thread
// count. Inference only; both sides get the same letterboxed tensors.
//
// The machine is shared, so the runs are split into rounds and each round runs every
// configuration back to back (the order reversed every other round): load that comes and goes
// hits both engines alike. Medians are over all rounds' runs.
//
// usage: node bench.mjs --native BIN --wasm JS --card CARD --models DIR --samples DIR
//                       [--runs 24] [--warmup 3] [--rounds 3] [--threads 1,2] [--ghz G]
//                       [--out build/bench.json] [--profile] [--chromium FILE] [--no-wasm]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function argument(name, fallback) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const flag = (name) => process.argv.includes(name);

const nativeBin = argument('--native');
const wasmJs = flag('--no-wasm') ? null : argument('--wasm');
const card = argument('--card');
const models = argument('--models');
const samples = argument('--samples');
const runs = Number(argument('--runs', '24'));
const warmup = Number(argument('--warmup', '3'));
const rounds = Number(argument('--rounds', '3'));
const threadCounts = argument('--threads', '1,2').split(',').map(Number);
const out = argument('--out', 'build/bench.json');
const chromiumFile = argument('--chromium');
const here = path.dirname(new URL(import.meta.url).pathname);

const cardJson = JSON.parse(fs.readFileSync(card, 'utf8'));
const modelPath = path.join(models, cardJson.file);
const photos = fs.readdirSync(samples).filter((f) => f.endsWith('.jpg')).sort()
  .map((f) => path.join(samples, f));
const inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-'));

// The clock for the peak: --ghz, else what model_bench measured (a chain of dependent
// additions), else the "cpu MHz" the kernel reports (a virtual machine may report its base clock).
let measuredGhz = 0;
function cpuGhz() {
  const given = argument('--ghz');
  if (given) return Number(given);
  if (measuredGhz > 0) return measuredGhz;
  const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n')
    .find((l) => l.startsWith('cpu MHz'));
  return line ? Number(line.split(':')[1]) / 1000 : 0;
}

function run(command, args) {
  const text = execFileSync(command, args, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  });
  return JSON.parse(text.trim().split('\n').pop());
}

function ours(runtime, threads, count, extra = []) {
  const common = ['--card', card, '--models', models, '--threads', String(threads),
    '--runs', String(count), '--warmup', String(warmup), ...extra, ...photos];
  if (runtime === 'native') return run(nativeBin, common);
  return run('node', ['--no-experimental-fetch', wasmJs, ...common]);
}

function theirs(runtime, threads, count) {
  return run('node', ['--no-experimental-fetch', path.join(here, 'ort_bench.mjs'),
    runtime === 'native' ? 'node' : 'web', modelPath, inputDir, String(photos.length),
    '1,3,416,416', String(threads), String(count), String(warmup)]);
}

// The prepared inputs for ONNX Runtime, written by our own letterboxing.
measuredGhz = ours('native', 1, 1, ['--write-inputs', inputDir]).measured_ghz ?? 0;
const ghz = cpuGhz();

const runtimes = wasmJs ? ['native', 'wasm-node'] : ['native'];
const configurations = [];
for (const runtime of runtimes) {
  for (const threads of threadCounts) {
    for (const backend of ['sightline', 'onnxruntime']) {
      configurations.push({ runtime, threads, backend });
    }
  }
}
const samplesOf = new Map();
const postprocess = [];
let flops = 0;
const perRound = Math.ceil(runs / rounds);
for (let round = 0; round < rounds; ++round) {
  const order = round % 2 === 0 ? configurations : [...configurations].reverse();
  for (const c of order) {
    const key = `${c.runtime}/${c.backend}/${c.threads}`;
    const result = c.backend === 'sightline' ? ours(c.runtime, c.threads, perRound)
      : theirs(c.runtime, c.threads, perRound);
    if (!samplesOf.has(key)) samplesOf.set(key, { ...c, samples: [], kernels: result.kernels });
    samplesOf.get(key).samples.push(...result.inference_ms);
    if (c.backend === 'sightline' && c.runtime === 'native' && c.threads === 1) {
      postprocess.push(...result.postprocess_ms);
      flops = result.flops;
    }
    const typical = median(result.inference_ms).toFixed(1);
    process.stderr.write(`round ${round + 1}/${rounds} ${key}: ${typical} ms\n`);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
const stats = (s) => ({ median_ms: median(s), min_ms: Math.min(...s), max_ms: Math.max(...s) });

const report = {
  model: cardJson.name ?? path.basename(modelPath, '.onnx'),
  runs: [],
  postprocess_ms: median(postprocess),
  // Navigation to the first detection of dog.jpg on a warm cache, by the page's own clock (the
  // issue's cold start); first_visit_ms is the same on an empty cache, by the test's clock.
  cold_start_ms: {},
  first_visit_ms: {},
  transfer_bytes: {},
};
for (const entry of samplesOf.values()) {
  report.runs.push({ runtime: entry.runtime, backend: entry.backend, threads: entry.threads,
    ...stats(entry.samples) });
}

// Headless Chromium figures from tests/browser/measure.mjs, when asked for.
if (chromiumFile && fs.existsSync(chromiumFile)) {
  const measured = JSON.parse(fs.readFileSync(chromiumFile, 'utf8'));
  for (const r of measured.results) {
    const label = `${r.backend}${r.isolated ? '' : ' (no threads)'}`;
    report.cold_start_ms[label] = r.warm_in_page_first_detection_ms;
    report.first_visit_ms[label] = r.navigation_to_first_detection_ms;
    report.transfer_bytes[label] = r.transferred_bytes;
    const later = r.inference_runs_ms.slice(1);
    report.runs.push({ runtime: 'chromium', backend: r.backend, threads: r.engine_threads ?? 1,
      ...stats(later.length ? later : r.inference_runs_ms) });
  }
}

// Single-core peak: vector lanes x 2 (multiply and add) x 2 vector pipes x clock; natively the
// lanes of the instruction set our engine chose (16 for AVX-512, 8 for AVX2, else 4).
const nativeKernels = [...samplesOf.values()]
  .find((e) => e.runtime === 'native' && e.backend === 'sightline')?.kernels ?? '';
const nativeLanes = nativeKernels.startsWith('avx512') ? 16
  : nativeKernels.startsWith('avx2') ? 8 : 4;
const peakPerCore = {
  native: nativeLanes * 2 * 2 * ghz, 'wasm-node': 4 * 2 * 2 * ghz, chromium: 4 * 2 * 2 * ghz,
};
const pad = (text, width) => String(text).padEnd(width);
const fmt = (r) => `${r.median_ms.toFixed(1)} (${r.min_ms.toFixed(1)}-${r.max_ms.toFixed(1)})`;
console.log(`YOLOX-Nano (${(flops / 1e9).toFixed(3)} GFLOP per inference), ` +
  `${photos.length} photos, ` +
  `${runs}+ runs after ${warmup} warm-up per configuration, ${rounds} rounds; ` +
  `load average ${os.loadavg()[0].toFixed(1)}; clock ${ghz.toFixed(2)} GHz`);
console.log(`${pad('runtime', 10)} ${pad('threads', 8)} ${pad('sightline ms med (min-max)', 28)} ` +
  `${pad('onnxruntime ms med (min-max)', 30)} ${pad('ORT/ours', 9)} ${pad('our GFLOP/s', 12)} ` +
  'peak GFLOP/s (1 core x threads)');
for (const runtime of ['native', 'wasm-node', 'chromium']) {
  const here = report.runs.filter((r) => r.runtime === runtime);
  for (const threads of [...new Set(here.map((r) => r.threads))]) {
    const mine = here.find((r) => r.threads === threads && r.backend === 'sightline');
    const ort = here.find((r) => r.threads === threads && r.backend === 'onnxruntime');
    if (!mine || !ort) continue;
    const achieved = flops / (mine.median_ms * 1e6);
    console.log(`${pad(runtime, 10)} ${pad(threads, 8)} ${pad(fmt(mine), 28)} ` +
      `${pad(fmt(ort), 30)} ` +
      `${pad((ort.median_ms / mine.median_ms).toFixed(2), 9)} ${pad(achieved.toFixed(1), 12)} ` +
      `${(peakPerCore[runtime] * threads).toFixed(1)}`);
  }
}
console.log('post-processing (decode + NMS of 3549 rows, native): ' +
  `median ${report.postprocess_ms.toFixed(3)} ms`);
for (const [label, ms] of Object.entries(report.cold_start_ms)) {
  console.log(`chromium ${pad(label, 26)} navigation to first detection ${ms} ms (warm cache), ` +
    `${report.first_visit_ms[label]} ms (first visit), ` +
    `${(report.transfer_bytes[label] / 1e6).toFixed(2)} MB transferred`);
}

if (flag('--profile')) {
  for (const runtime of runtimes) {
    const profiled = ours(runtime, 1, perRound, ['--profile']).profile;
    console.log(`\nprofile, ${runtime}, 1 thread: ${profiled.total_ms.toFixed(2)} ms in steps`);
    for (const t of profiled.op_types) {
      const rate = t.ms > 0 ? t.flops / (t.ms * 1e6) : 0;
      const share = (100 * t.ms / profiled.total_ms).toFixed(1).padStart(5);
      console.log(`  ${pad(t.op_type, 14)} ${pad(t.steps, 4)} ${t.ms.toFixed(2).padStart(8)} ms ` +
        `${share}% ${rate.toFixed(1).padStart(7)} GFLOP/s`);
    }
  }
}

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
fs.rmSync(inputDir, { recursive: true, force: true });
console.log(`written ${out}`);
