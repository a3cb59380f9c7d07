// Test oracle: runs ONNX Runtime (onnxruntime-node, CPU provider) on raw float32 input tensors
// written by the C++ tests, and writes the model's first output next to them.
//
// usage: node ort_run.mjs MODEL.onnx MANIFEST.json [THREADS]
// MANIFEST.json: [{"input": "in.bin", "shape": [1, 3, 416, 416], "output": "out.bin"}, ...]
// For each entry, out.bin receives the output's float32 values and out.bin.json its shape.
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, manifestPath, threadsArgument] = process.argv.slice(2);
if (!modelPath || !manifestPath) {
  console.error('usage: node ort_run.mjs MODEL.onnx MANIFEST.json [THREADS]');
  process.exit(2);
}
const threads = Number(threadsArgument ?? 1);
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
});
const inputName = session.inputNames[0];
const outputName = session.outputNames[0];

for (const entry of JSON.parse(readFileSync(manifestPath, 'utf8'))) {
  const bytes = readFileSync(entry.input);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const feeds = { [inputName]: new ort.Tensor('float32', values, entry.shape) };
  const output = (await session.run(feeds))[outputName];
  const data = output.data;
  writeFileSync(entry.output, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  writeFileSync(`${entry.output}.json`, JSON.stringify(output.dims));
}
