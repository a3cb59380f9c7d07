// ONNX Runtime side of scripts/bench (a program, not a test): times session.run alone on the
// raw float32 inputs that model_bench wrote, cycling through them, with onnxruntime-node (CPU
// provider) or onnxruntime-web (wasm backend, SIMD + threads) under Node. Prints one JSON object
// like model_bench's: {"backend", "runtime", "threads", "inference_ms": [...]}.
//
// usage: node ort_bench.mjs node|web MODEL.onnx INPUT_DIR COUNT SHAPE THREADS RUNS WARMUP
//   SHAPE is comma-separated (1,3,416,416); INPUT_DIR holds input0.bin .. input{COUNT-1}.bin.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [flavour, modelPath, inputDir, countText, shapeText, threadsText, runsText, warmupText] =
  process.argv.slice(2);
if (!['node', 'web'].includes(flavour) || !warmupText) {
  console.error('usage: node ort_bench.mjs node|web MODEL.onnx INPUT_DIR COUNT SHAPE THREADS ' +
                'RUNS WARMUP');
  process.exit(2);
}
const count = Number(countText);
const shape = shapeText.split(',').map(Number);
const threads = Number(threadsText);
const runs = Number(runsText);
const warmup = Number(warmupText);

const ort = flavour === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
let options;
if (flavour === 'node') {
  options = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  };
} else {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
}

const createStart = performance.now();
const session = await ort.InferenceSession.create(readFileSync(modelPath), options);
const createMs = performance.now() - createStart;
const inputName = session.inputNames[0];

const feeds = [];
for (let i = 0; i < count; ++i) {
  const bytes = readFileSync(`${inputDir}/input${i}.bin`);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  feeds.push({ [inputName]: new ort.Tensor('float32', values.slice(), shape) });
}

const samples = [];
for (let run = 0; run < warmup + runs; ++run) {
  const start = performance.now();
  await session.run(feeds[run % count]);
  const elapsed = performance.now() - start;
  if (run >= warmup) samples.push(elapsed);
}
await session.release();
console.log(JSON.stringify({
  backend: 'onnxruntime',
  runtime: flavour === 'node' ? 'native' : 'wasm-node',
  threads,
  session_create_ms: createMs,
  inference_ms: samples,
}));
process.exit(0);
