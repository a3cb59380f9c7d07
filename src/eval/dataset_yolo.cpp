// The YOLO folder reader: images/ and labels/ (or both side by side), classes.txt or *.names,
// and "class cx cy w h" lines checked one by one. Folders are not searched recursively.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <system_error>

#include "eval/dataset_common.h"

namespace sightline::eval::detail {
namespace {

namespace fs = std::filesystem;

// Rounding in label tools puts box edges a hair outside [0, 1]; beyond this they are wrong.
constexpr double kEdgeTolerance = 1e-3;
constexpr size_t kMaxClasses = 100000;

struct Layout {
  fs::path root;
  fs::path images_dir;
  fs::path labels_dir;
};

struct ClassList {
  std::vector<std::string> names;
  std::string file;  // location of the classes file, for messages
};

bool folder_exists(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

Layout find_layout(const fs::path& root) {
  Layout layout{root, root, root};
  if (folder_exists(root / "images")) {
    layout.images_dir = root / "images";
    layout.labels_dir = folder_exists(root / "labels") ? root / "labels" : layout.images_dir;
  } else if (folder_exists(root / "labels")) {
    layout.labels_dir = root / "labels";
  }
  return layout;
}

// Regular files of one folder, sorted by name; `subfolders` counts the folders skipped.
Result<std::vector<fs::path>> list_files(const fs::path& folder, int& subfolders) {
  std::vector<fs::path> files;
  std::error_code error;
  fs::directory_iterator it(folder, error);
  if (error) {
    return make_error("cannot list '" + folder.string() + "': " + error.message());
  }
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) {
      return make_error("cannot list '" + folder.string() + "': " + error.message());
    }
    std::error_code type_error;
    if (it->is_directory(type_error)) {
      ++subfolders;
    } else if (it->is_regular_file(type_error)) {
      files.push_back(it->path());
    }
  }
  if (error) {
    return make_error("cannot list '" + folder.string() + "': " + error.message());
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

bool is_label_file(const fs::path& path) {
  const std::string name = lower_case(path.filename().string());
  return lower_case(path.extension().string()) == ".txt" && name != "classes.txt" &&
         name != "tags.txt";
}

std::vector<fs::path> find_names_files(const fs::path& folder) {
  std::vector<fs::path> found;
  int subfolders = 0;
  Result<std::vector<fs::path>> files = list_files(folder, subfolders);
  if (files.ok()) {
    for (const fs::path& file : *files) {
      if (lower_case(file.extension().string()) == ".names") {
        found.push_back(file);
      }
    }
  }
  return found;
}

Result<ClassList> read_classes(const Layout& layout, ValidationReport& report) {
  fs::path classes_path;
  std::error_code error;
  if (fs::is_regular_file(layout.root / "classes.txt", error)) {
    classes_path = layout.root / "classes.txt";
  } else if (std::vector<fs::path> names = find_names_files(layout.root); !names.empty()) {
    classes_path = names.front();
    if (names.size() > 1) {
      add_issue(report, Severity::kWarning, relative_location(names.front(), layout.root),
                "several names files",
                std::to_string(names.size()) + " *.names files found; class names are read from '" +
                    names.front().filename().string() + "'");
    }
  } else if (fs::is_regular_file(layout.labels_dir / "classes.txt", error)) {
    classes_path = layout.labels_dir / "classes.txt";
  } else {
    const std::string rule = "no classes.txt or *.names file in '" + layout.root.string() +
                             "': class ids cannot be named (data.yaml is not read)";
    add_issue(report, Severity::kError, layout.root.string(), "missing classes file", rule);
    return make_error(rule);
  }

  ClassList classes;
  classes.file = relative_location(classes_path, layout.root);
  Result<std::string> text = read_text_file(classes_path, kMaxTextFileBytes);
  if (!text.ok()) {
    add_issue(report, Severity::kError, classes.file, "unreadable classes file", text.message());
    return text.error();
  }

  for (std::string_view line : split_lines(*text)) {
    classes.names.emplace_back(trim(line));
  }
  while (!classes.names.empty() && classes.names.back().empty()) {
    classes.names.pop_back();
  }
  if (classes.names.empty()) {
    const std::string rule = "'" + classes_path.string() + "' names no classes";
    add_issue(report, Severity::kError, classes.file, "missing classes file", rule);
    return make_error(rule);
  }
  if (classes.names.size() > kMaxClasses) {
    const std::string rule = "'" + classes_path.string() + "' has " +
                             std::to_string(classes.names.size()) + " lines, over the limit of " +
                             std::to_string(kMaxClasses) + " classes";
    add_issue(report, Severity::kError, classes.file, "too many classes", rule);
    return make_error(rule);
  }
  for (size_t i = 0; i < classes.names.size(); ++i) {
    if (classes.names[i].empty()) {
      add_issue(report, Severity::kWarning, classes.file + ":" + std::to_string(i + 1),
                "blank class name",
                "line " + std::to_string(i + 1) + " is blank, so class " + std::to_string(i) +
                    " has no name");
    }
  }
  return classes;
}

int count_label_lines(std::string_view text) {
  int count = 0;
  for (std::string_view line : split_lines(text)) {
    if (!trim(line).empty()) {
      ++count;
    }
  }
  return count;
}

// One label line read and checked; on failure `rule` and `kind` say why.
struct LabelLine {
  int64_t class_id = 0;
  std::array<double, 4> box{};  // cx, cy, w, h normalised
};

bool parse_label_line(std::string_view line, const ClassList& classes, LabelLine& label,
                      std::string& kind, std::string& rule) {
  const std::vector<std::string_view> fields = split_whitespace(line);
  if (fields.size() != 5) {
    kind = "malformed line";
    rule = "expected 5 fields \"class cx cy w h\", found " + std::to_string(fields.size());
    return false;
  }

  static constexpr const char* kFieldNames[4] = {"cx", "cy", "w", "h"};
  for (int i = 0; i < 4; ++i) {
    if (!parse_finite_double(fields[i + 1], label.box[i])) {
      kind = "malformed line";
      rule = "field " + std::string(kFieldNames[i]) + " '" + std::string(fields[i + 1]) +
             "' is not a finite number";
      return false;
    }
  }

  const int64_t class_count = static_cast<int64_t>(classes.names.size());
  const std::string range = "[0, " + std::to_string(class_count - 1) + "] (" +
                            std::to_string(class_count) + " classes in " + classes.file + ")";
  if (!parse_int64(fields[0], label.class_id)) {
    kind = "unknown class";
    rule = "class id '" + std::string(fields[0]) + "' is not an integer in " + range;
    return false;
  }
  if (label.class_id < 0 || label.class_id >= class_count) {
    kind = "unknown class";
    rule = "class id " + std::to_string(label.class_id) + " is outside " + range;
    return false;
  }

  const double cx = label.box[0], cy = label.box[1], w = label.box[2], h = label.box[3];
  if (w <= 0 || h <= 0) {
    kind = "zero or negative size";
    rule = "box size w " + format_number(w) + " h " + format_number(h) + " must be above 0";
    return false;
  }
  const double left = cx - w / 2, right = cx + w / 2, top = cy - h / 2, bottom = cy + h / 2;
  if (left < -kEdgeTolerance || top < -kEdgeTolerance || right > 1 + kEdgeTolerance ||
      bottom > 1 + kEdgeTolerance) {
    kind = "coordinates out of range";
    rule = "box edges x [" + format_number(left) + ", " + format_number(right) + "] y [" +
           format_number(top) + ", " + format_number(bottom) +
           "] go outside the image [0, 1] by more than " + format_number(kEdgeTolerance);
    return false;
  }
  return true;
}

// Reads one image's label text into `annotations`; returns how many lines were found.
int read_label_text(std::string_view text, const std::string& file_location,
                    const ClassList& classes, const DatasetImage& image,
                    std::vector<GroundTruth>& annotations, ValidationReport& report) {
  std::map<std::pair<int64_t, std::array<double, 4>>, size_t> first_line_of_box;
  int found = 0;

  const std::vector<std::string_view> lines = split_lines(text);
  for (size_t line_index = 0; line_index < lines.size(); ++line_index) {
    if (trim(lines[line_index]).empty()) {
      continue;
    }
    ++found;
    const std::string location = file_location + ":" + std::to_string(line_index + 1);

    LabelLine label;
    std::string kind, rule;
    if (!parse_label_line(lines[line_index], classes, label, kind, rule)) {
      add_issue(report, Severity::kError, location, kind, rule + "; line skipped");
      count_skipped(report, kind);
      continue;
    }

    const auto [first, inserted] =
        first_line_of_box.emplace(std::make_pair(label.class_id, label.box), line_index + 1);
    if (!inserted) {
      add_issue(
          report, Severity::kWarning, location, "duplicate box",
          "same class and box as line " + std::to_string(first->second) + "; the copy is removed");
      count_skipped(report, "duplicate box");
      continue;
    }

    const double cx = label.box[0], cy = label.box[1], w = label.box[2], h = label.box[3];
    GroundTruth truth;
    truth.image_id = image.id;
    truth.category_id = label.class_id;
    truth.x = (cx - w / 2) * image.width;
    truth.y = (cy - h / 2) * image.height;
    truth.width = w * image.width;
    truth.height = h * image.height;
    truth.area = truth.width * truth.height;
    annotations.push_back(truth);
  }
  return found;
}

}  // namespace

Result<Dataset> load_yolo_folder(const fs::path& folder, const DatasetOptions& options,
                                 ValidationReport& report) {
  if (!folder_exists(folder)) {
    return make_error("'" + folder.string() + "' is not a folder or a .json file");
  }
  const Layout layout = find_layout(folder);

  int image_subfolders = 0, label_subfolders = 0;
  Result<std::vector<fs::path>> image_listing = list_files(layout.images_dir, image_subfolders);
  if (!image_listing.ok()) {
    return image_listing.error();
  }
  std::vector<fs::path> image_paths;
  for (const fs::path& path : *image_listing) {
    if (has_image_extension(path)) {
      image_paths.push_back(path);
    }
  }
  report.images_found = static_cast<int>(std::min<size_t>(image_paths.size(), INT32_MAX));

  if (image_paths.empty()) {
    std::string rule = "no images (.jpg .jpeg .png .bmp) in '" + layout.images_dir.string() + "'";
    if (image_subfolders > 0) {
      rule += "; subfolders are not searched, so give the folder that holds the images";
    }
    add_issue(report, Severity::kError, layout.images_dir.string(), "no images", rule);
    return make_error(rule);
  }
  if (image_paths.size() > static_cast<size_t>(options.max_images)) {
    const std::string rule = std::to_string(image_paths.size()) + " images in '" +
                             layout.images_dir.string() + "' exceed the limit of " +
                             std::to_string(options.max_images);
    add_issue(report, Severity::kError, layout.images_dir.string(), "too many images", rule);
    return make_error(rule);
  }

  Result<ClassList> classes = read_classes(layout, report);
  if (!classes.ok()) {
    return classes.error();
  }

  Result<std::vector<fs::path>> label_listing = list_files(layout.labels_dir, label_subfolders);
  if (!label_listing.ok()) {
    return label_listing.error();
  }
  std::map<std::string, fs::path> label_by_stem;
  for (const fs::path& path : *label_listing) {
    if (is_label_file(path)) {
      label_by_stem.emplace(path.stem().string(), path);
    }
  }

  Dataset dataset;
  dataset.format = DatasetFormat::kYolo;
  dataset.source = folder.string();
  for (size_t i = 0; i < classes->names.size(); ++i) {
    dataset.categories.push_back(Category{static_cast<int64_t>(i), classes->names[i]});
  }

  int64_t annotations_found = 0;
  std::map<std::string, bool> stem_has_image;
  for (size_t index = 0; index < image_paths.size(); ++index) {
    const fs::path& image_path = image_paths[index];
    const std::string image_location = relative_location(image_path, layout.root);
    stem_has_image[image_path.stem().string()] = true;

    DatasetImage image;
    image.id = static_cast<int64_t>(index) + 1;
    image.file_name = image_path.filename().string();
    image.path = image_path.string();

    const auto label = label_by_stem.find(image_path.stem().string());
    std::string label_text;
    std::string label_location;
    if (label != label_by_stem.end()) {
      label_location = relative_location(label->second, layout.root);
      Result<std::string> text = read_text_file(label->second, kMaxTextFileBytes);
      if (!text.ok()) {
        add_issue(report, Severity::kError, label_location, "unreadable label file",
                  text.message() + "; its image is skipped");
        count_skipped(report, "unreadable label file");
        continue;
      }
      label_text = std::move(*text);
    }
    const int line_count = count_label_lines(label_text);
    annotations_found += line_count;
    if (annotations_found > options.max_annotations) {
      const std::string rule = "more than " + std::to_string(options.max_annotations) +
                               " labels in '" + layout.labels_dir.string() + "'";
      add_issue(report, Severity::kError, label_location, "too many annotations", rule);
      return make_error(rule);
    }

    Result<ImageSize> size = check_photo(image_path, options.check_image_pixels);
    if (!size.ok()) {
      add_issue(report, Severity::kError, image_location, "unreadable image",
                size.message() + "; the image and its " + std::to_string(line_count) +
                    " labels are skipped");
      count_skipped(report, "unreadable image");
      count_skipped(report, "labels of unreadable image", line_count);
      continue;
    }
    image.width = size->width;
    image.height = size->height;

    if (label == label_by_stem.end()) {
      add_issue(report, Severity::kInfo, image_location, "background image",
                "no label file '" + image_path.stem().string() +
                    ".txt'; counted as a background image with no objects");
    } else {
      read_label_text(label_text, label_location, *classes, image, dataset.annotations, report);
    }
    dataset.images.push_back(std::move(image));
  }

  for (const auto& [stem, path] : label_by_stem) {
    if (stem_has_image.count(stem)) {
      continue;
    }
    const std::string location = relative_location(path, layout.root);
    Result<std::string> text = read_text_file(path, kMaxTextFileBytes);
    const int line_count = text.ok() ? count_label_lines(*text) : 0;
    annotations_found += line_count;
    add_issue(report, Severity::kWarning, location, "label file without image",
              "no image named '" + stem + "' with .jpg .jpeg .png or .bmp in '" +
                  layout.images_dir.string() + "'; its " + std::to_string(line_count) +
                  " labels are skipped");
    count_skipped(report, "label file without image", line_count);
  }

  for (size_t i = 0; i < dataset.annotations.size(); ++i) {
    dataset.annotations[i].id = static_cast<int64_t>(i) + 1;
  }
  report.annotations_found = static_cast<int>(std::min<int64_t>(annotations_found, INT32_MAX));

  read_tags_file(layout.root, dataset.images, report);
  return dataset;
}

}  // namespace sightline::eval::detail
