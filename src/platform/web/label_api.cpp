// The web side of label editing (app/label_editor.h): the C functions behind
// window.sightline.labels / setLabelMode / acceptPredictions / setReview / undo / redo /
// exportLabels (web/site/sightline-labels.js), and the Labels tab's download buttons, which ask
// the page to zip an export. Each answers JSON text: the result, or {"error": message} for a
// refusal (an unknown photo, no labels to export), and runs under guard_entry
// (boundary_guard.h), so an exception becomes a message (null, with sightline_web_last_failure)
// instead of an abort.
//
// Export: the files are written into the in-memory file system under kExportRoot/<format>
// (emptied first), which the page reads, zips with fflate and hands back or downloads.
#include <emscripten.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app/label_editor.h"
#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

constexpr const char* kExportRoot = "/label-exports";

// (clang-format would break the JS inside.)
// clang-format off
EM_JS(void, offer_label_zip, (const char* format),
      { Module.sightlineLabels.download(UTF8ToString(format)); });
// clang-format on

std::string& label_answer() {
  static std::string text;
  return text;
}

const char* answer_json(const std::string& json) {
  label_answer() = json;
  return label_answer().c_str();
}

const char* answer_error(const std::string& message) {
  return answer_json(nlohmann::json({{"error", message}})
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Runs body (which answers through answer_json / answer_error) under the guard; null on failure.
template <typename Body>
const char* guarded(std::string_view action, Body&& body) {
  const char* result = nullptr;
  const char* failed = guard_entry(action, [&] {
    app::App* app = web_app();
    result = app ? body(*app) : answer_error("the app did not start");
  });
  return failed ? nullptr : result;
}

// Photo `image_id`, or the selected photo for -1.
app::GalleryImage* photo(app::App& app, int image_id) {
  return image_id < 0 ? app.selected_image() : app.image_by_id(image_id);
}

std::string no_photo(int image_id) {
  return image_id < 0 ? "no photo is selected"
                      : "no gallery photo has id " + std::to_string(image_id);
}

// Writes the export of `format` under kExportRoot; answers {"folder", "files"} or the error.
const char* write_export(app::App& app, const char* format_name) {
  Result<eval::LabelFormat> format = eval::parse_label_format(format_name);
  if (!format) return answer_error(format.message());
  const std::string folder = std::string(kExportRoot) + "/" + eval::label_format_name(*format);
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  Status written = app::export_labels_to_folder(app, *format, folder, false);
  if (!written) {
    app.report_error(written.message());
    return answer_error(written.message());
  }
  return answer_json(nlohmann::json({{"folder", folder}}).dump());
}

}  // namespace

void install_label_hooks(app::App& app) {
  app.label_editor().offer_zip = [](eval::LabelFormat format) {
    offer_label_zip(eval::label_format_name(format));
  };
}

}  // namespace sightline::platform

extern "C" {

using sightline::platform::answer_error;
using sightline::platform::answer_json;
using sightline::platform::guarded;

// Photo image_id's labels (-1: the selected photo), as labels_json.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_labels(int image_id) {
  return guarded("read labels", [&](sightline::app::App& app) {
    sightline::app::GalleryImage* image = sightline::platform::photo(app, image_id);
    if (!image) return answer_error(sightline::platform::no_photo(image_id));
    return answer_json(sightline::app::labels_json(app, *image));
  });
}

// Edit mode on (1) or off (0); answers the editor's state, with where the canvas shows the
// photo (window pixels) for scripts that click on boxes.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_label_editor(int active) {
  return guarded("switch label editing", [&](sightline::app::App& app) {
    if (active >= 0) sightline::app::set_label_mode(app, active != 0);
    return answer_json(sightline::app::label_editor_json(app));
  });
}

// action: "accept" (predictions become labels), "reviewed", "unreviewed", "undo", "redo",
// "delete" (the selected box) or "class" (class_id for the selected box and new boxes). Photo
// image_id (-1: the selected one; undo, redo, delete and class act on the selected photo).
// Answers the photo's labels, with "changed" false when undo/redo had nothing to do.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_label_action(int image_id, const char* action,
                                                            int class_id) {
  return guarded("edit labels", [&](sightline::app::App& app) {
    namespace app_ns = sightline::app;
    const std::string name = action;
    if (name == "undo" || name == "redo" || name == "delete" || name == "class") {
      image_id = -1;
    }
    app_ns::GalleryImage* image = sightline::platform::photo(app, image_id);
    if (!image) return answer_error(sightline::platform::no_photo(image_id));
    sightline::Status done;
    bool changed = true;
    if (name == "accept") {
      done = app_ns::accept_predictions(app, *image);
    } else if (name == "reviewed" || name == "unreviewed") {
      done =
          app_ns::set_photo_review(*image, name == "reviewed" ? app_ns::ReviewState::kReviewed
                                                              : app_ns::ReviewState::kUnreviewed);
    } else if (name == "undo") {
      changed = app_ns::undo_labels(app);
    } else if (name == "redo") {
      changed = app_ns::redo_labels(app);
    } else if (name == "delete") {
      done = app_ns::delete_selected_label(app);
    } else if (name == "class") {
      done = app_ns::choose_label_class(app, class_id);
    } else {
      return answer_error("unknown label action \"" + name +
                          "\": use accept, reviewed, unreviewed, undo, redo, delete or class");
    }
    if (!done) return answer_error(done.message());
    nlohmann::json labels = nlohmann::json::parse(app_ns::labels_json(app, *image));
    labels["changed"] = changed;
    return answer_json(labels.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

// Writes the export of every labelled photo in `format` ("yolo", "coco" or "voc") into the
// in-memory file system; answers {"folder"} or {"error"} (no labelled photo, a bad format).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_export_labels(const char* format) {
  return guarded("export labels", [&](sightline::app::App& app) {
    return sightline::platform::write_export(app, format);
  });
}

}  // extern "C"
