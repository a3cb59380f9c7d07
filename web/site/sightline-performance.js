// The Performance panel's JS API (the C++ half is src/platform/web/performance_api.cpp):
//   sightline.profile({runs}) profiles the active model in Sightline's engine on the selected
//     photo (one warm-up run, then `runs` profiled runs, default 10, one per frame, so the page
//     keeps drawing) and resolves with the profile: {runs, warmup_runs, model, photo, backend,
//     kernel, planned_steps, total_ms, total_flops, gflops, step_sum_ms, wall_ms,
//     op_types: [{op_type, steps, ms, share, flops, gflops}],
//     nodes: [{index, name, op_type, kernel, ms, share, flops, gflops}]} (rows by descending
//     ms). It rejects with the app's reason when ONNX Runtime Web is the active backend, when
//     there is no photo or model, or when a run fails;
//   sightline.cancelProfile() stops a running profile;
//   sightline.performance() answers the panel's state: the active backend, model and kernels,
//     the last photo's stage timings, their median / min / max this session, and the profile.
export function installPerformance(module, sightline, ready) {
  function failIf(error) {
    if (error) throw new Error(module.UTF8ToString(error));
  }

  // A null answer means the C++ side failed; the reason is the boundary's last failure.
  function performanceState() {
    const pointer = module._sightline_web_performance();
    if (!pointer) throw new Error(module.UTF8ToString(module._sightline_web_last_failure()));
    return JSON.parse(module.UTF8ToString(pointer));
  }

  async function profile({ runs = 10, timeoutMs = 10 * 60_000 } = {}) {
    await ready;
    if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
      throw new RangeError(`profile runs ${runs} is not a whole number in [1, 1000]`);
    }
    failIf(module._sightline_web_profile_start(runs));
    const number = performanceState().profile.number;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const state = performanceState().profile;
      if (state.number !== number) throw new Error('another profile was started meanwhile');
      if (state.phase === 'done') return state.profile;
      if (state.phase === 'failed' || state.phase === 'cancelled') {
        throw new Error(`profile ${state.phase}: ${state.error}`);
      }
      if (performance.now() > deadline) {
        throw new Error(`profile still running after ${timeoutMs} ms ` +
          `(${state.runs_done}/${state.runs} runs)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // setWorkspace('performance') shows the Performance panel; the other names go on as before.
  const setWorkspace = sightline.setWorkspace;
  Object.assign(sightline, {
    profile,
    cancelProfile() {
      failIf(module._sightline_web_profile_cancel());
    },
    performance: performanceState,
    setWorkspace(name) {
      if (name === 'performance') return module._sightline_web_performance_show();
      return setWorkspace.call(sightline, name);
    },
  });
}
