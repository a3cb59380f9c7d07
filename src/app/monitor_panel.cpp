// The Monitor panel: the live window of dropped photos, the baseline (save, load by drop or the
// JS API), the drift thresholds, and each drift test with its statistic, p-value or PSI, alarm
// and a small histogram of the window (colour) against the baseline (grey).
#include <algorithm>
#include <cstdio>

#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

constexpr ImU32 kBaselineBar = IM_COL32(150, 150, 150, 200);
constexpr ImU32 kWindowBar = IM_COL32(90, 170, 255, 200);

void draw_histogram(const monitor::DriftTest& test, ImVec2 size) {
  const monitor::Histogram& histogram = test.histogram;
  const size_t bins = std::min(histogram.baseline.size(), histogram.window.size());
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  if (bins == 0) return;
  double peak = 1e-9;
  for (size_t i = 0; i < bins; ++i)
    peak = std::max({peak, histogram.baseline[i], histogram.window[i]});
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  draw_list->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y),
                           IM_COL32(30, 30, 36, 255));
  const float bin_width = size.x / bins;
  for (size_t i = 0; i < bins; ++i) {
    const float x = origin.x + i * bin_width;
    const float base_height = static_cast<float>(histogram.baseline[i] / peak) * (size.y - 2);
    const float window_height = static_cast<float>(histogram.window[i] / peak) * (size.y - 2);
    draw_list->AddRectFilled(ImVec2(x + 1, origin.y + size.y - base_height),
                             ImVec2(x + bin_width * 0.5f, origin.y + size.y), kBaselineBar);
    draw_list->AddRectFilled(ImVec2(x + bin_width * 0.5f, origin.y + size.y - window_height),
                             ImVec2(x + bin_width - 1, origin.y + size.y), kWindowBar);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    if (test.bin_labels.empty()) {
      ImGui::Text("%s from %.3g to %.3g in %zu bins", test.feature.c_str(), histogram.lower,
                  histogram.upper, bins);
    }
    for (size_t i = 0; i < bins; ++i) {
      const std::string label =
          i < test.bin_labels.size() ? test.bin_labels[i] : "bin " + std::to_string(i + 1);
      ImGui::Text("%s: baseline %.0f%%, window %.0f%%", label.c_str(), 100 * histogram.baseline[i],
                  100 * histogram.window[i]);
    }
    ImGui::EndTooltip();
  }
}

void draw_tests(const monitor::DriftReport& report) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("drift_tests", 7, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* name : {"feature", "test", "statistic", "p-value / PSI", "status",
                           "n (base/win)", "histogram: baseline grey, window blue"})
    ImGui::TableSetupColumn(name);
  ImGui::TableHeadersRow();
  for (const monitor::DriftTest& test : report.tests) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%s%s", test.feature.c_str(), test.input ? "" : " (output)");
    ImGui::TableNextColumn();
    ImGui::Text("%s%s", monitor::method_name(test.method),
                test.permutations > 0 ? " (photo permutation)" : "");
    ImGui::TableNextColumn();
    ImGui::Text("%.4f", test.statistic);
    ImGui::TableNextColumn();
    if (test.method == monitor::TestMethod::kPsi && test.permutations > 0) {
      ImGui::Text("PSI %.4f (limit %.2f), p %.4g", test.statistic, test.threshold, test.p_value);
    } else if (test.method == monitor::TestMethod::kPsi) {
      ImGui::Text("PSI %.4f (limit %.2f)", test.statistic, test.threshold);
    } else {
      ImGui::Text("p %.4g (alpha %.3g)", test.p_value, test.threshold);
    }
    ImGui::TableNextColumn();
    const ImVec4 colour = test.alarm ? ImVec4(1.0f, 0.35f, 0.3f, 1.0f)
                          : test.status == monitor::TestStatus::kNotEnoughData
                              ? ImVec4(0.7f, 0.7f, 0.7f, 1.0f)
                              : ImVec4(0.5f, 0.9f, 0.5f, 1.0f);
    ImGui::TextColored(colour, "%s", test.alarm ? "ALARM" : test.status_text.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d / %d", test.baseline_count, test.window_count);
    ImGui::TableNextColumn();
    draw_histogram(test, ImVec2(std::max(60.0f, ImGui::GetContentRegionAvail().x), 28));
  }
  ImGui::EndTable();
}

}  // namespace

void draw_monitor_panel(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Monitor", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  Workbench& workbench = app.workbench();
  MonitorState& monitor = workbench.monitor;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped(
      "Every photo dropped in the Photos tab is measured here (brightness, contrast, sharpness, "
      "saturation, size; the active model's detections and timings). Save the window as the "
      "baseline, then drop new photos to test them for drift. Drop a baseline .json to load it.");
  ImGui::PopStyleColor();

  ImGui::Text(
      "Window: %zu photos%s", monitor.window.photos.size(),
      monitor.window.has_model ? (" with " + monitor.window.model.name).c_str() : " (inputs only)");
  if (!monitor.pending_images.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.3f, 1.0f), "(%zu to measure)",
                       monitor.pending_images.size());
  }
  if (ImGui::Button("Save window as baseline")) {
    if (Status saved = save_monitor_baseline(app); !saved) {
      monitor.message = saved.message();
      app.report_error("monitor: " + saved.message());
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Reset window")) {
    monitor.window = monitor::Window{};
    monitor.report_stale = true;
  }
  ImGui::Text("Baseline: %s", monitor.baseline ? (std::to_string(monitor.baseline->photos.size()) +
                                                  " photos, " + monitor.baseline_source)
                                                     .c_str()
                                               : "none yet");
  if (!monitor.message.empty()) ImGui::TextDisabled("%s", monitor.message.c_str());

  monitor::DriftThresholds& thresholds = monitor.thresholds;
  ImGui::PushItemWidth(100);
  bool changed = ImGui::InputDouble("alpha", &thresholds.alpha, 0, 0, "%.4f");
  ImGui::SameLine();
  changed |= ImGui::InputDouble("PSI limit", &thresholds.psi, 0, 0, "%.3f");
  ImGui::SameLine();
  changed |= ImGui::InputInt("minimum photos", &thresholds.min_photos, 0);
  ImGui::PopItemWidth();
  if (changed) monitor.report_stale = true;
  if (Status valid = monitor::validate_thresholds(thresholds); !valid) {
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", valid.message().c_str());
  }

  refresh_drift(workbench);
  ImGui::Separator();
  if (!monitor.report) {
    ImGui::TextDisabled("No drift tests: %s", monitor.baseline ? "check the thresholds"
                                                               : "save or load a baseline first");
    ImGui::End();
    return;
  }
  const monitor::DriftReport& report = *monitor.report;
  if (report.any_alarm) {
    ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.3f, 1.0f),
                       "DRIFT ALARM: %d baseline vs %d window "
                       "photos",
                       report.baseline_photos, report.window_photos);
  } else {
    ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.5f, 1.0f), "No alarm: %d baseline vs %d window photos",
                       report.baseline_photos, report.window_photos);
  }
  if (!report.outputs_note.empty()) ImGui::TextDisabled("%s", report.outputs_note.c_str());
  ImGui::Text("latency (mean ms): baseline inference %.1f, window inference %.1f",
              report.baseline_latency.mean.inference_ms, report.window_latency.mean.inference_ms);
  draw_tests(report);
  ImGui::End();
}

}  // namespace sightline::app
