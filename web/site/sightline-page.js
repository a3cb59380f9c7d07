// Page start-up and the JS API (window.sightline):
//   1. pick the WASM variant: threads when the page is cross-origin isolated, else
//      single-thread (with a visible note);
//   2. start the module on the canvas, write the built-in models into its /models;
//   3. resolve sightline.ready once the default model is loaded.
// sightline.detect(imageUrlOrBlob, {backend, conf, iou}) answers with the same JSON as
// `sightline detect --json` for one photo; sightline.evaluate(files) with the same JSON as
// `sightline eval DIR --json`. Runs and the monitor baseline live in IndexedDB
// (sightline-store.js) and are handed back to the app after a reload. Label editing and export
// are in sightline-labels.js, the Performance panel's profile in sightline-performance.js.
// Dropped files reach the app through sightline-drop.js. A C++ failure (out of memory) comes
// back as a thrown Error or a rejected promise with the app's message.
import { createOnnxRuntimeBridge } from './onnxruntime-bridge.js';
import { installCompare } from './sightline-compare.js';
import { installDropPath } from './sightline-drop.js';
import { installLabels } from './sightline-labels.js';
import { installPerformance } from './sightline-performance.js';
import { createStore } from './sightline-store.js';

const statusLine = document.getElementById('status');
const notice = document.getElementById('notice');
const canvas = document.getElementById('canvas');
const BACKENDS = { sightline: 0, onnxruntime: 1 };

let module = null;
let drops = null;
let nextRequest = 1;
const pendingRequests = new Map();
let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});

const isolated = self.crossOriginIsolated === true;
const sightline = {
  ready,
  variant: isolated ? 'threads' : 'single-thread',
  crossOriginIsolated: isolated,
  detect,
  state: () => (module ? readJson(module._sightline_web_state()) : null),
  lastError() {
    const errors = this.state()?.errors ?? [];
    return errors.length ? errors[errors.length - 1] : null;
  },
  onnxruntimeLoaded: () => Boolean(module?.sightlineOnnxRuntime.loaded()),
  // Shows a gallery photo (an id from state().images) on the canvas.
  selectImage(id) {
    throwFailure(module._sightline_web_select_image(id));
  },
  // The canvas UI's sliders: re-runs only post-processing on the cached model output.
  setOptions({ conf, iou } = {}) {
    throwFailure(module._sightline_web_set_options(checkThreshold(conf, 'conf'),
      checkThreshold(iou, 'iou')));
  },
  // The backend the canvas UI uses, like its radio buttons: "sightline" or "onnxruntime".
  setBackend(backend) {
    if (!(backend in BACKENDS)) throw new Error(`unknown backend "${backend}"`);
    throwFailure(module._sightline_web_set_backend(BACKENDS[backend]));
  },
  timings: {},
  // Resolves once every file dropped on the canvas so far has been handed to the app.
  dropsSettled: () => ready.then(() => drops.settled()),
  // Bytes of the module's WebAssembly memory now (it grows up to its maximum, 2 GiB).
  memoryBytes: () => (module ? heapViews().u8.length : 0),
  evaluate,
  // The Evaluate panel's session: phase, progress, validation issues and, when done, the report.
  evaluation: () => readJson(module._sightline_web_evaluation()),
  // The ledger: every recorded run, oldest first, as stored in IndexedDB.
  async runs() {
    await ready;
    return (await module.sightlineStore.runLines()).map((line) => JSON.parse(line));
  },
  // The Monitor panel: window and baseline sizes, and the drift tests once there is a baseline.
  monitor: () => readJson(module._sightline_web_monitor()),
  async saveBaseline() {
    const error = module._sightline_web_save_baseline();
    if (error) throw new Error(module.UTF8ToString(error));
    await module.sightlineStore.settled();
    return sightline.monitor();
  },
  async loadBaseline(jsonText, source = 'sightline.loadBaseline') {
    await ready;
    callWithStrings((text, name) => module._sightline_web_load_baseline(text, name, 1),
      String(jsonText), source);
    await module.sightlineStore.settled();
    return sightline.monitor();
  },
  // Opens an error of the last evaluation in the Evaluate panel's viewer, as a click does:
  // kind "false_positive" or "missed", index into report.errors of that kind.
  showEvaluationError(kind, index) {
    if (kind !== 'false_positive' && kind !== 'missed') {
      throw new Error(`unknown error kind "${kind}": use "false_positive" or "missed"`);
    }
    if (!module._sightline_web_show_evaluation_error(kind === 'missed' ? 1 : 0, index)) {
      throw new RangeError(`no ${kind} with index ${index} in the last evaluation`);
    }
  },
  // The middle of the window: "photos", "evaluate", "runs" or "monitor".
  setWorkspace(name) {
    const index = WORKSPACES.indexOf(name);
    if (index < 0) throw new Error(`unknown workspace "${name}": use ${WORKSPACES.join(', ')}`);
    throwFailure(module._sightline_web_set_workspace(index));
  },
};
window.sightline = sightline;

const WORKSPACES = ['photos', 'evaluate', 'runs', 'monitor'];
const LEDGER_DIR = '/ledger';
const LEDGER_PATH = `${LEDGER_DIR}/ledger.jsonl`;
let nextDatasetFolder = 1;

// A call that answers JSON answers null when it failed; the reason is the last failure.
function readJson(pointer) {
  if (!pointer) throw new Error(module.UTF8ToString(module._sightline_web_last_failure()));
  return JSON.parse(module.UTF8ToString(pointer));
}

// Calls that answer null or a failure's message (also shown in the app).
function throwFailure(pointer) {
  if (pointer) throw new Error(module.UTF8ToString(pointer));
}

// Calls fn with the strings copied into the module; throws the message fn returns (if any).
function callWithStrings(fn, ...texts) {
  const pointers = texts.map(copyStringToModule);
  try {
    const error = fn(...pointers);
    if (error) throw new Error(module.UTF8ToString(error));
  } finally {
    for (const pointer of pointers) module._free(pointer);
  }
}

// Evaluates the active model on labelled files (Files or {name, bytes}) under the drop rule and
// resolves with the report (the JSON of `sightline eval --json`, plus the session's details
// in .session); rejects with the reason when the dataset cannot be evaluated.
async function evaluate(files, { timeoutMs = 30 * 60_000 } = {}) {
  await ready;
  const folder = `/datasets/api-${nextDatasetFolder++}`;
  module.FS.mkdirTree(folder);
  for (const file of files) {
    const name = String(file.name).split('/').pop();
    const bytes = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : file.bytes;
    module.FS.writeFile(`${folder}/${name}`, bytes);
  }
  const before = sightline.evaluation().number;
  callWithStrings((path) => module._sightline_web_evaluate_folder(path), folder);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const session = sightline.evaluation();
    if (session.number > before && (session.phase === 'done' || session.phase === 'failed')) {
      if (session.phase === 'failed') throw new Error(session.fatal);
      await module.sightlineStore.settled();
      const { report, ...details } = session;
      return { ...report, session: details };
    }
    if (performance.now() > deadline) {
      throw new Error(`evaluation still running after ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

// The ledger's runs and the baseline stored in IndexedDB, read while the models load.
function readStoredWorkbench(store) {
  return Promise.all([store.runLines(), store.baseline()]);
}

// The runs and the baseline kept in IndexedDB go back into the app after a (re)load.
async function restoreWorkbench(stored) {
  const [lines, baseline] = await stored;
  module.FS.mkdirTree(LEDGER_DIR);
  module.FS.writeFile(LEDGER_PATH, lines.length ? `${lines.join('\n')}\n` : '');
  module._sightline_web_runs_changed();
  if (baseline) {
    try {
      callWithStrings((text, name) => module._sightline_web_load_baseline(text, name, 0),
        baseline, 'this browser (IndexedDB)');
    } catch (error) {
      console.warn(`the stored baseline was not loaded: ${error.message}`);
    }
  }
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

// On hosts without COOP/COEP headers, the service worker in coi-serviceworker.js re-serves the
// page with them. It needs one reload after it first activates; returns true when the page is
// about to reload. A session flag stops a reload loop where the worker cannot help.
async function isolateWithServiceWorker() {
  if (isolated || !window.isSecureContext || !navigator.serviceWorker) return false;
  if (navigator.serviceWorker.controller) return false;
  if (sessionStorage.getItem('sightline-isolation-reload')) return false;
  let registration = null;
  try {
    registration = await navigator.serviceWorker.register('coi-serviceworker.js');
  } catch (error) {
    console.warn(`isolation service worker not registered: ${error.message}`);
  }
  const worker = registration &&
    (registration.installing || registration.waiting || registration.active);
  if (!worker) return false;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve();
      });
      setTimeout(resolve, 5000);
    });
  }
  sessionStorage.setItem('sightline-isolation-reload', '1');
  window.sightlineReloading = true;
  window.location.reload();
  return true;
}

function loadScript(source) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = source;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${source}`));
    document.head.append(script);
  });
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

// Typed views on the module's memory. A threaded build's memory is a growable
// SharedArrayBuffer that another thread may have grown, so views are made fresh each time.
function heapViews() {
  const buffer = module.wasmMemory ? module.wasmMemory.buffer : module.HEAPU8.buffer;
  return {
    u8: new Uint8Array(buffer),
    i32: new Int32Array(buffer),
    f32: new Float32Array(buffer),
  };
}

// malloc answers 0 when the memory cannot grow any more (it never aborts: -sABORTING_MALLOC=0).
function allocate(size, what) {
  const pointer = module._malloc(Math.max(1, size));
  if (!pointer) {
    throw new Error(`${what}: out of memory: ${size} bytes do not fit in the WebAssembly ` +
      `memory (it holds ${heapViews().u8.length >> 20} MiB of at most 2048 MiB)`);
  }
  return pointer;
}

function copyToModule(bytes, what = 'copy into the app') {
  const pointer = allocate(bytes.length, what);
  heapViews().u8.set(bytes, pointer);
  return pointer;
}

function copyStringToModule(text) {
  const size = module.lengthBytesUTF8(text) + 1;
  const pointer = allocate(size, 'copy a string into the app');
  module.stringToUTF8(text, pointer, size);
  return pointer;
}

// The built-in models' files ([name, bytes] pairs), fetched while the module starts.
async function fetchBuiltinModelFiles() {
  const index = JSON.parse(new TextDecoder().decode(await fetchBytes('models/index.json')));
  return Promise.all(index.files.map(async (name) => [name, await fetchBytes(`models/${name}`)]));
}

async function loadBuiltinModels(modelFiles) {
  const files = await modelFiles;
  module.FS.mkdirTree('/models');
  for (const [name, bytes] of files) module.FS.writeFile(`/models/${name}`, bytes);
  const error = module._sightline_web_load_models();
  if (error) throw new Error(module.UTF8ToString(error));
}

async function photoBytes(source) {
  if (source instanceof Blob) {
    return { name: source.name || 'blob', bytes: new Uint8Array(await source.arrayBuffer()) };
  }
  const url = new URL(String(source), location.href);
  const name = decodeURIComponent(url.pathname.split('/').pop() || 'photo');
  return { name, bytes: await fetchBytes(url.href) };
}

function checkThreshold(value, name) {
  if (value === undefined || value === null) return NaN;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a number, got ${value}`);
  }
  if (value < 0 || value > 1) throw new RangeError(`${name} ${value} is outside [0, 1]`);
  return value;
}

async function detect(source, options = {}) {
  await ready;
  const backend = options.backend ?? 'sightline';
  if (!(backend in BACKENDS)) {
    throw new Error(`unknown backend "${backend}": use "sightline" or "onnxruntime"`);
  }
  const confidence = checkThreshold(options.conf, 'conf');
  const iou = checkThreshold(options.iou, 'iou');
  const { name, bytes } = await photoBytes(source);

  // The app copies the bytes and the name before the call returns.
  let bytesPointer = 0;
  let namePointer = 0;
  let answer;
  try {
    bytesPointer = copyToModule(bytes, `detect ${name}`);
    namePointer = copyStringToModule(name);
    const request = nextRequest++;
    answer = new Promise((resolve, reject) => {
      pendingRequests.set(request, { resolve, reject });
    });
    module._sightline_web_detect(request, bytesPointer, bytes.length, namePointer,
      BACKENDS[backend], confidence, iou);
  } finally {
    module._free(bytesPointer);
    module._free(namePointer);
  }
  return JSON.parse(await answer);
}

function settle(request, succeeded, text) {
  const pending = pendingRequests.get(request);
  if (!pending) return;
  pendingRequests.delete(request);
  if (succeeded) pending.resolve(text);
  else pending.reject(new Error(text));
}

async function start() {
  // The page is reloading into an isolated one: it starts there, not here.
  if (await isolateWithServiceWorker()) return { reloading: true };
  if (!isolated) {
    notice.textContent = 'Single-thread build: this page is not cross-origin isolated, so ' +
      'threads are off.';
    notice.hidden = false;
  }
  // The model files download while the module compiles and starts its threads; a failure
  // surfaces where they are awaited.
  const modelFiles = fetchBuiltinModelFiles();
  modelFiles.catch(() => {});
  // So do the stored runs and baseline, from IndexedDB.
  const logStoreError = (error) => {
    const text = `IndexedDB: ${error.message}`;
    if (module) callWithStrings((origin, line) => module._sightline_web_log(3, origin, line),
      'store', text);
    else console.warn(text);
  };
  const store = createStore({ onError: logStoreError });
  const storedWorkbench = readStoredWorkbench(store);
  storedWorkbench.catch(() => {});

  const variant = isolated ? 'mt' : 'st';
  await loadScript(`sightline-${variant}.js`);
  module = await self.createSightline({
    canvas,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
  });
  module.sightlineHeap = heapViews;
  module.sightlineAllocate = allocate;
  module.sightlineSettle = settle;
  module.sightlineOnnxRuntime = createOnnxRuntimeBridge(module);
  // sightline.compare / comparison / promote (sightline-compare.js).
  installCompare(module, sightline, ready);
  // sightline.labels / setLabelMode / ... / exportLabels (sightline-labels.js).
  installLabels(module, sightline, ready);
  // sightline.profile / cancelProfile / performance (sightline-performance.js).
  installPerformance(module, sightline, ready);
  drops = installDropPath(module, canvas);
  module.sightlineStore = store;
  sightline.timings.moduleReadyMs = performance.now();

  statusLine.textContent = 'Loading the default model...';
  await loadBuiltinModels(modelFiles);
  sightline.timings.modelsReadyMs = performance.now();
  // Without IndexedDB (a private window may refuse it) the app starts with an empty ledger.
  await restoreWorkbench(storedWorkbench).catch(logStoreError);
  sightline.timings.readyMs = performance.now();
  statusLine.textContent = '';
  canvas.focus();
}

// sightline.ready stays pending on a page that is about to reload: resolving it there would
// report the non-isolated page that is going away.
start().then(
  (outcome) => {
    if (!outcome?.reloading) resolveReady(sightline.state());
  },
  (error) => {
    statusLine.textContent = `Sightline could not start: ${error.message}`;
    statusLine.className = 'failed';
    console.error(error);
    rejectReady(error);
  });
