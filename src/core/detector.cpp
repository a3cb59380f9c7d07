#include "core/detector.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace sightline {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// Accepts a declared dimension when it is dynamic (-1 or 0) or equals what the card says.
bool dimension_fits(int64_t declared, int64_t wanted) {
  return declared <= 0 || declared == wanted;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, double value, int decimals) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  out += text;
}

}  // namespace

Detector::Detector(ModelCard card, std::unique_ptr<InferenceBackend> backend)
    : card_(std::move(card)), backend_(std::move(backend)) {}

Result<std::unique_ptr<Detector>> Detector::create(ModelCard card,
                                                   std::unique_ptr<InferenceBackend> backend) {
  if (!backend) return make_error("no inference backend for model '" + card.name + "'");
  if (backend->inputs().empty() || backend->outputs().empty()) {
    return make_error("model '" + card.name + "' has no inputs or no outputs");
  }

  const TensorInfo& input = backend->inputs().front();
  const std::vector<int64_t>& shape = input.shape;
  if (shape.size() != 4 || !dimension_fits(shape[0], 1) || !dimension_fits(shape[1], 3) ||
      !dimension_fits(shape[2], card.input_height) || !dimension_fits(shape[3], card.input_width)) {
    return make_error("model '" + card.name + "' input '" + input.name + "' has shape " +
                      shape_to_string(shape) + ", but its card '" + card.source + "' says [1, 3, " +
                      std::to_string(card.input_height) + ", " + std::to_string(card.input_width) +
                      "]");
  }

  // The class dimension is where the decoder reads it: last for [1, N, 5 + C], second for
  // YOLOv8's [1, 4 + C, N].
  const std::vector<int64_t>& output = backend->outputs().front().shape;
  if (output.size() == 3 && !card.class_names.empty()) {
    const int64_t declared = card.decoder == DecoderKind::kYolov8 ? output[1] - 4 : output[2] - 5;
    const int64_t named = static_cast<int64_t>(card.class_names.size());
    if (declared > 0 && declared != named) {
      return make_error("model '" + card.name + "' outputs " + std::to_string(declared) +
                        " classes (output shape " + shape_to_string(output) + ", decoder " +
                        decoder_kind_name(card.decoder) + "), but its class names file '" +
                        card.class_names_file + "' has " + std::to_string(named));
    }
  }
  return std::unique_ptr<Detector>(new Detector(std::move(card), std::move(backend)));
}

DecodeSpec Detector::decode_spec() const {
  DecodeSpec spec;
  spec.kind = card_.decoder;
  spec.strides = card_.strides;
  spec.input_width = card_.input_width;
  spec.input_height = card_.input_height;
  return spec;
}

PreparedInput Detector::prepare(const Image& image) const {
  PreparedInput prepared;
  prepared.geometry = compute_letterbox(image.width, image.height, card_.input_width,
                                        card_.input_height, card_.placement);
  prepared.tensor = letterbox_to_tensor(image, prepared.geometry, card_.normalisation);
  return prepared;
}

Result<FloatTensor> Detector::infer(const PreparedInput& input) {
  return backend_->run(input.tensor);
}

Result<std::vector<Detection>> Detector::finish(const FloatTensor& raw,
                                                const LetterboxGeometry& geometry,
                                                const PostprocessOptions& options) const {
  return postprocess(raw, decode_spec(), geometry, options);
}

Result<DetectionReport> Detector::detect(std::span<const uint8_t> image_bytes,
                                         std::string_view name, const PostprocessOptions& options,
                                         const ImageLimits& limits) {
  if (Status status = validate_options(options); !status) return status.error();

  DetectionReport report;
  report.image = name;

  auto start = Clock::now();
  Result<Image> image = decode_image(image_bytes, name, limits);
  if (!image) return image.error();
  report.width = image->width;
  report.height = image->height;
  report.timings.decode_ms = elapsed_ms(start);

  start = Clock::now();
  const PreparedInput prepared = prepare(*image);
  report.timings.preprocess_ms = elapsed_ms(start);

  start = Clock::now();
  Result<FloatTensor> raw = infer(prepared);
  if (!raw) return make_error("'" + std::string(name) + "': inference failed: " + raw.message());
  report.timings.inference_ms = elapsed_ms(start);

  start = Clock::now();
  auto detections = finish(*raw, prepared.geometry, options);
  if (!detections) return detections.error();
  report.detections = std::move(*detections);
  report.timings.postprocess_ms = elapsed_ms(start);
  return report;
}

std::string report_to_json(const DetectionReport& report,
                           const std::vector<std::string>& class_names) {
  std::string out = "{\"image\":";
  append_json_string(out, report.image);
  out += ",\"width\":" + std::to_string(report.width);
  out += ",\"height\":" + std::to_string(report.height);
  out += ",\"detections\":[";
  for (size_t i = 0; i < report.detections.size(); ++i) {
    const Detection& box = report.detections[i];
    if (i > 0) out += ',';
    out += "{\"class_id\":" + std::to_string(box.class_id) + ",\"label\":";
    const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(class_names.size());
    append_json_string(out, named ? class_names[box.class_id] : std::to_string(box.class_id));
    out += ",\"score\":";
    append_number(out, box.score, 4);
    out += ",\"box\":[";
    const float corners[4] = {box.x1, box.y1, box.x2, box.y2};
    for (int k = 0; k < 4; ++k) {
      if (k > 0) out += ',';
      append_number(out, corners[k], 2);
    }
    out += "]}";
  }
  out += "],\"timings_ms\":{\"decode\":";
  append_number(out, report.timings.decode_ms, 3);
  out += ",\"preprocess\":";
  append_number(out, report.timings.preprocess_ms, 3);
  out += ",\"inference\":";
  append_number(out, report.timings.inference_ms, 3);
  out += ",\"postprocess\":";
  append_number(out, report.timings.postprocess_ms, 3);
  out += "}}";
  return out;
}

}  // namespace sightline
