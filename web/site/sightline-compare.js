// The Compare panel's JS API (the C++ half is src/platform/web/compare_api.cpp):
//   sightline.compare({candidate: {model, backend, conf, iou}, primary: {model}}) starts
//     comparing the active model (or primary.model, made active first) with the candidate on
//     every gallery photo and resolves with the state once every photo is run: per-photo
//     agreement, boxes only one side found, score differences, totals and both latencies
//     (state.report, the JSON of `sightline compare --json` plus image ids);
//   sightline.comparison() answers the state at any time;
//   sightline.promote() makes the candidate the active model (the old primary the candidate);
//   sightline.compareDataset({candidate: {model}}) evaluates both models on the Evaluate
//     panel's dataset, both runs recorded in the ledger side by side.
// The candidate's ONNX Runtime Web runs through a bridge of its own, whose answers go to the
// compare functions, so its request numbers never meet the app's.
import { createOnnxRuntimeBridge } from './onnxruntime-bridge.js';

const BACKENDS = { sightline: 0, onnxruntime: 1 };

export function installCompare(module, sightline, ready) {
  // The bridge calls module._sightline_web_onnxruntime_done / _failed: here they are the
  // compare ones; everything else it uses comes from the module itself.
  module.sightlineCompareOnnxRuntime = createOnnxRuntimeBridge(Object.create(module, {
    _sightline_web_onnxruntime_done: { value: module._sightline_web_compare_onnxruntime_done },
    _sightline_web_onnxruntime_failed: { value: module._sightline_web_compare_onnxruntime_failed },
  }));
  failIf(module._sightline_web_compare_install());

  function failIf(error) {
    if (error) throw new Error(module.UTF8ToString(error));
  }

  function withStrings(fn, ...texts) {
    const pointers = [];
    try {
      for (const text of texts) {
        const size = module.lengthBytesUTF8(text) + 1;
        const pointer = module.sightlineAllocate(size, 'pass a text to the comparison');
        pointers.push(pointer);
        module.stringToUTF8(text, pointer, size);
      }
      failIf(fn(...pointers));
    } finally {
      for (const pointer of pointers) module._free(pointer);
    }
  }

  function threshold(value, name) {
    if (value === undefined || value === null) return NaN;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`candidate ${name} ${value} is not a number in [0, 1]`);
    }
    return value;
  }

  // A null answer means the C++ side failed; the reason is the boundary's last failure.
  function comparison() {
    const pointer = module._sightline_web_compare_state();
    if (!pointer) throw new Error(module.UTF8ToString(module._sightline_web_last_failure()));
    return JSON.parse(module.UTF8ToString(pointer));
  }

  async function compare({ candidate = {}, primary = {}, timeoutMs = 20 * 60_000 } = {}) {
    await ready;
    const backend = candidate.backend ?? null;
    if (backend !== null && !(backend in BACKENDS)) {
      throw new Error(`unknown backend "${backend}": use "sightline" or "onnxruntime"`);
    }
    const conf = threshold(candidate.conf, 'conf');
    const iou = threshold(candidate.iou, 'iou');
    withStrings((model, primaryModel) => module._sightline_web_compare_start(model,
      backend === null ? -1 : BACKENDS[backend], conf, iou, primaryModel),
    String(candidate.model ?? ''), String(primary.model ?? ''));
    const number = comparison().number;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const state = comparison();
      if (state.number !== number) throw new Error('another comparison was started meanwhile');
      if (state.phase === 'done') return state;
      if (performance.now() > deadline) {
        throw new Error(`comparison still running after ${timeoutMs} ms ` +
          `(${state.done}/${state.total} photos)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // setWorkspace('compare') shows the Compare panel; the other names go on as before.
  const setWorkspace = sightline.setWorkspace;
  // Evaluates the active model, then the candidate model, on the dataset the Evaluate panel
  // last read (drop one or call sightline.evaluate first); resolves with {primary_run,
  // candidate_run, ...}: both runs are in the ledger (sightline.runs()).
  async function compareDataset({ candidate = {}, timeoutMs = 30 * 60_000 } = {}) {
    await ready;
    withStrings((model) => module._sightline_web_compare_dataset(model),
      String(candidate.model ?? ''));
    const number = comparison().dataset.number;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const plan = comparison().dataset;
      if (plan.number !== number) throw new Error('another dataset comparison was started');
      if (plan.phase === 'failed') throw new Error(plan.message);
      if (plan.phase === 'done') {
        await module.sightlineStore?.settled();
        return plan;
      }
      if (performance.now() > deadline) {
        throw new Error(`dataset comparison still running after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  Object.assign(sightline, {
    compareDataset,
    setWorkspace(name) {
      if (name === 'compare') return module._sightline_web_compare_show();
      return setWorkspace.call(sightline, name);
    },
    compare,
    comparison,
    promote() {
      failIf(module._sightline_web_compare_promote());
      return comparison();
    },
  });
}
