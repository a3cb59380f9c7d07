// Builds the label export's dataset from the gallery's label sets (see label_export.h).
#include "app/label_export.h"

#include <utility>

namespace sightline::app {

bool has_exportable_labels(const LabelSet* labels) {
  return labels && (!labels->boxes().empty() || labels->review() == ReviewState::kReviewed);
}

Result<eval::Dataset> build_label_dataset(const std::vector<LabelledPhoto>& photos,
                                          const std::vector<std::string>& class_names) {
  eval::Dataset dataset;
  dataset.source = "the app's labels";
  for (size_t i = 0; i < class_names.size(); ++i) {
    dataset.categories.push_back({static_cast<int64_t>(i), class_names[i]});
  }

  const int class_count = static_cast<int>(class_names.size());
  for (const LabelledPhoto& photo : photos) {
    if (!has_exportable_labels(photo.labels)) continue;
    eval::DatasetImage image;
    image.id = static_cast<int64_t>(dataset.images.size()) + 1;
    image.file_name = photo.name;
    image.width = photo.labels->photo_width();
    image.height = photo.labels->photo_height();
    dataset.images.push_back(image);

    for (const LabelBox& box : photo.labels->boxes()) {
      if (box.class_id < 0 || box.class_id >= class_count) {
        return make_error(photo.name + ": a box has class id " + std::to_string(box.class_id) +
                          ", outside [0, " + std::to_string(class_count - 1) + "] (the model has " +
                          std::to_string(class_count) + " class names)");
      }
      eval::GroundTruth truth;
      truth.id = static_cast<int64_t>(dataset.annotations.size()) + 1;
      truth.image_id = image.id;
      truth.category_id = box.class_id;
      truth.x = box.x1;
      truth.y = box.y1;
      truth.width = box.width();
      truth.height = box.height();
      truth.area = truth.width * truth.height;
      dataset.annotations.push_back(truth);
    }
  }

  if (dataset.images.empty()) {
    return make_error("no photo has labels to export (" + std::to_string(photos.size()) +
                      " in the gallery): label a photo, accept its predictions or mark it "
                      "reviewed first");
  }
  return dataset;
}

Result<std::vector<eval::ExportFile>> export_labels(const std::vector<LabelledPhoto>& photos,
                                                    const std::vector<std::string>& class_names,
                                                    eval::LabelFormat format) {
  Result<eval::Dataset> dataset = build_label_dataset(photos, class_names);
  if (!dataset) return dataset.error();

  // photo_bytes[i] belongs to dataset.images[i]: the same photos in the same order.
  std::vector<std::string> photo_bytes;
  for (const LabelledPhoto& photo : photos) {
    if (!has_exportable_labels(photo.labels)) continue;
    photo_bytes.emplace_back(photo.bytes ? std::string(photo.bytes->begin(), photo.bytes->end())
                                         : std::string());
  }
  return eval::write_label_export(*dataset, photo_bytes, format);
}

}  // namespace sightline::app
