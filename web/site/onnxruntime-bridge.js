// The JS half of the ONNX Runtime Web backend (the C++ half is
// src/platform/web/onnxruntime_bridge.cpp). ONNX Runtime is imported only on first use, since
// it is about 15 MB; one session per model is kept. Results go back into the module through
// its exported sightline_web_onnxruntime_done / _failed functions.

const ORT_DIR = new URL('./ort/', import.meta.url).href;

export function createOnnxRuntimeBridge(module) {
  let ortPromise = null;
  const sessions = new Map();

  // Into the app's log window (and the console, through the app's log sink).
  function log(level, text) {
    const origin = 'onnxruntime';
    const originSize = module.lengthBytesUTF8(origin) + 1;
    const textSize = module.lengthBytesUTF8(text) + 1;
    const originPointer = module._malloc(originSize);
    const textPointer = module._malloc(textSize);
    // malloc answers 0 when the WebAssembly memory is full; the line then goes to the console.
    if (originPointer && textPointer) {
      module.stringToUTF8(origin, originPointer, originSize);
      module.stringToUTF8(text, textPointer, textSize);
      module._sightline_web_log(level, originPointer, textPointer);
    } else {
      console.warn(`[${origin}] ${text} (not in the app's log: the WebAssembly memory is full)`);
    }
    module._free(originPointer);
    module._free(textPointer);
  }

  function loadOrt() {
    const start = performance.now();
    ortPromise ??= import(ORT_DIR + 'ort.wasm.bundle.min.mjs').then((ort) => {
      // Only the .wasm is fetched: its JS glue is inside the bundle.
      ort.env.wasm.wasmPaths = { wasm: ORT_DIR + 'ort-wasm-simd-threaded.wasm' };
      // ONNX Runtime falls back to one thread by itself when the page is not isolated.
      ort.env.wasm.numThreads = self.crossOriginIsolated
        ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
      log(1, `ONNX Runtime Web ${ort.env.versions?.web ?? ''} imported in ` +
        `${Math.round(performance.now() - start)} ms, ${ort.env.wasm.numThreads} thread(s)`);
      return ort;
    });
    return ortPromise;
  }

  function sessionFor(modelId, modelBytes) {
    if (!sessions.has(modelId)) {
      // The model is copied out of the module's memory now, before the C++ caller returns.
      const bytes = modelBytes();
      const pending = loadOrt().then(async (ort) => {
        const start = performance.now();
        const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        const milliseconds = Math.round(performance.now() - start);
        log(1, `session for model ${modelId} created in ${milliseconds} ms`);
        return { ort, session };
      });
      pending.catch((error) => {
        sessions.delete(modelId);
        log(3, `cannot create a session: ${error.message ?? error}`);
      });
      sessions.set(modelId, pending);
    }
    return sessions.get(modelId);
  }

  // Throws when the WebAssembly memory cannot hold the output; start() then reports it through
  // fail(), so the request ends with that message instead of waiting for ever.
  function deliver(request, output) {
    const data = output.data;
    let dataPointer = 0;
    let dimsPointer = 0;
    try {
      dataPointer = module.sightlineAllocate(data.length * 4, 'take ONNX Runtime Web\'s output');
      dimsPointer = module.sightlineAllocate(output.dims.length * 4, 'take its shape');
      // Views taken after malloc, which may have grown the memory.
      const heap = module.sightlineHeap();
      heap.f32.set(data, dataPointer >> 2);
      heap.i32.set(output.dims.map(Number), dimsPointer >> 2);
      module._sightline_web_onnxruntime_done(request, dataPointer, data.length, dimsPointer,
        output.dims.length);
    } finally {
      module._free(dataPointer);
      module._free(dimsPointer);
    }
  }

  function fail(request, error) {
    const message = String(error && error.message ? error.message : error);
    const size = module.lengthBytesUTF8(message) + 1;
    const pointer = module._malloc(size);
    if (!pointer) {
      // Not even the message fits: the app keeps the photo queued, and the console says why.
      console.error(`ONNX Runtime Web request ${request} failed (${message}), and the ` +
        'WebAssembly memory is too full to tell the app');
      return;
    }
    module.stringToUTF8(message, pointer, size);
    try {
      module._sightline_web_onnxruntime_failed(request, pointer);
    } finally {
      module._free(pointer);
    }
  }

  return {
    loaded: () => ortPromise !== null,
    start(request, modelId, modelBytes, inputName, inputData, inputDims) {
      sessionFor(modelId, modelBytes)
        .then(async ({ ort, session }) => {
          const name = session.inputNames.includes(inputName) ? inputName : session.inputNames[0];
          const feeds = { [name]: new ort.Tensor('float32', inputData, inputDims) };
          const results = await session.run(feeds);
          return results[session.outputNames[0]];
        })
        .then((output) => deliver(request, output))
        .catch((error) => fail(request, error));
    },
  };
}
