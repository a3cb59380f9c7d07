// The Pascal VOC reader: one XML file per photo (Annotations/*.xml, else *.xml in the folder),
// photos in JPEGImages/ (else images/, else the folder itself), class order from classes.txt
// when present, else the object names sorted alphabetically. A small XML parser of our own
// reads elements, text and entities; attributes, comments, CDATA and declarations are skipped.
//
// Corners are read as pixel edges (xmin = left edge), as write_voc_xml writes them. VOC's own
// datasets number pixels from 1 (inclusive), so their boxes read here sit up to 1 px right and
// down of the true edges; this reader does not guess which convention a file follows.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <system_error>

#include "eval/dataset_common.h"

namespace sightline::eval::detail {
namespace {

namespace fs = std::filesystem;

// Deeper nesting than this is not an annotation file.
constexpr int kMaxXmlDepth = 64;
// Rounding may put an edge a hair outside the photo; beyond this the box is wrong.
constexpr double kBoundsTolerancePixels = 1.0;

struct XmlElement {
  std::string name;
  std::string text;  // the element's own character data, entities decoded
  int line = 0;
  std::vector<std::unique_ptr<XmlElement>> children;

  const XmlElement* child(std::string_view child_name) const {
    for (const auto& element : children) {
      if (element->name == child_name) return element.get();
    }
    return nullptr;
  }
};

class XmlParser {
 public:
  explicit XmlParser(std::string_view text) : text_(text) {}

  // The root element, or an error "line N: rule".
  Result<std::unique_ptr<XmlElement>> parse() {
    skip_prolog();
    if (!at("<")) return fail("expected the root element");
    auto root = std::make_unique<XmlElement>();
    if (Status read = read_element(*root, 1); !read) return read.error();
    skip_misc();
    if (position_ < text_.size()) return fail("text after the root element");
    return root;
  }

 private:
  Error fail(const std::string& rule) const {
    return make_error("line " + std::to_string(line_) + ": " + rule);
  }

  bool at(std::string_view token) const { return text_.substr(position_, token.size()) == token; }

  void advance(size_t count) {
    for (size_t i = 0; i < count && position_ < text_.size(); ++i) {
      if (text_[position_++] == '\n') ++line_;
    }
  }

  // Skips to just after `end`; false when the text ends first.
  bool skip_past(std::string_view end) {
    const size_t found = text_.find(end, position_);
    if (found == std::string_view::npos) return false;
    advance(found + end.size() - position_);
    return true;
  }

  void skip_spaces() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_])))
      advance(1);
  }

  // Declarations, comments and processing instructions around the root.
  void skip_misc() {
    for (;;) {
      skip_spaces();
      if (at("<?")) {
        if (!skip_past("?>")) position_ = text_.size();
      } else if (at("<!--")) {
        if (!skip_past("-->")) position_ = text_.size();
      } else if (at("<!")) {
        if (!skip_past(">")) position_ = text_.size();
      } else {
        return;
      }
    }
  }

  void skip_prolog() {
    if (at("\xEF\xBB\xBF")) advance(3);
    skip_misc();
  }

  std::string read_name() {
    const size_t start = position_;
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '>' || c == '/' || c == '=') break;
      advance(1);
    }
    return std::string(text_.substr(start, position_ - start));
  }

  Status append_entity(std::string& out) {
    const size_t end = text_.find(';', position_);
    if (end == std::string_view::npos || end - position_ > 12) {
      return fail("'&' does not start an entity such as &amp;");
    }
    const std::string_view entity = text_.substr(position_ + 1, end - position_ - 1);
    static const std::map<std::string_view, char> kNamed = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    if (const auto named = kNamed.find(entity); named != kNamed.end()) {
      out += named->second;
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string digits(entity.substr(hex ? 2 : 1));
      char* parsed_end = nullptr;
      const long code = std::strtol(digits.c_str(), &parsed_end, hex ? 16 : 10);
      if (digits.empty() || *parsed_end != '\0' || code <= 0 || code > 0x10FFFF) {
        return fail("character reference '&" + std::string(entity) + ";' is not valid");
      }
      // Names and numbers in VOC files are ASCII; other code points are written as UTF-8.
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      return fail("unknown entity '&" + std::string(entity) + ";'");
    }
    advance(end + 1 - position_);
    return Status::success();
  }

  // Reads "<name attrs>content</name>" (or "<name/>") starting at '<'.
  Status read_element(XmlElement& element, int depth) {
    if (depth > kMaxXmlDepth) {
      return fail("elements nested deeper than " + std::to_string(kMaxXmlDepth));
    }
    element.line = line_;
    advance(1);
    element.name = read_name();
    if (element.name.empty()) return fail("an element without a name");

    // Attributes are skipped; quoted values may hold '>' or '/'.
    for (;;) {
      skip_spaces();
      if (position_ >= text_.size()) return fail("<" + element.name + "> is not closed");
      const char c = text_[position_];
      if (c == '"' || c == '\'') {
        advance(1);
        const size_t end = text_.find(c, position_);
        if (end == std::string_view::npos) return fail("an attribute value is not closed");
        advance(end + 1 - position_);
      } else if (at("/>")) {
        advance(2);
        return Status::success();
      } else if (c == '>') {
        advance(1);
        break;
      } else {
        advance(1);
      }
    }

    for (;;) {
      if (position_ >= text_.size()) {
        return fail("<" + element.name + "> (line " + std::to_string(element.line) +
                    ") is not closed before the end of the file");
      }
      if (at("</")) {
        advance(2);
        const std::string closing = read_name();
        skip_spaces();
        if (closing != element.name || !at(">")) {
          return fail("</" + closing + "> does not close <" + element.name + "> of line " +
                      std::to_string(element.line));
        }
        advance(1);
        return Status::success();
      }
      if (at("<!--")) {
        if (!skip_past("-->")) return fail("a comment is not closed");
      } else if (at("<![CDATA[")) {
        advance(9);
        const size_t end = text_.find("]]>", position_);
        if (end == std::string_view::npos) return fail("a CDATA section is not closed");
        element.text += text_.substr(position_, end - position_);
        advance(end + 3 - position_);
      } else if (at("<?") || at("<!")) {
        if (!skip_past(">")) return fail("a declaration is not closed");
      } else if (at("<")) {
        auto child = std::make_unique<XmlElement>();
        if (Status read = read_element(*child, depth + 1); !read) return read;
        element.children.push_back(std::move(child));
      } else if (at("&")) {
        if (Status decoded = append_entity(element.text); !decoded) return decoded;
      } else {
        element.text += text_[position_];
        advance(1);
      }
    }
  }

  std::string_view text_;
  size_t position_ = 0;
  int line_ = 1;
};

std::string child_text(const XmlElement& element, std::string_view name) {
  const XmlElement* child = element.child(name);
  return child ? std::string(trim(child->text)) : std::string();
}

bool folder_exists(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

std::vector<fs::path> files_with_extension(const fs::path& folder, const std::string& extension) {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    std::error_code type_error;
    if (it->is_regular_file(type_error) &&
        lower_case(it->path().extension().string()) == extension) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// One <object> read from an annotation, before its class id is known.
struct VocObject {
  std::string name;
  double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  bool difficult = false;
  std::string location;
};

// One annotation file read and checked.
struct VocFile {
  DatasetImage image;
  std::vector<VocObject> objects;
};

// Reads the photo size from <size>, else from the photo's header.
bool read_size(const XmlElement& root, const std::string& location, DatasetImage& image,
               const DatasetOptions& options, ValidationReport& report) {
  const XmlElement* size = root.child("size");
  int64_t width = 0, height = 0;
  const bool in_xml = size && parse_int64(child_text(*size, "width"), width) &&
                      parse_int64(child_text(*size, "height"), height) && width > 0 && height > 0;
  std::error_code error;
  const bool photo_found = !image.path.empty() && fs::is_regular_file(image.path, error);
  if (photo_found) {
    Result<ImageSize> photo = check_photo(image.path, options.check_image_pixels);
    if (!photo.ok()) {
      add_issue(report, Severity::kError, location, "unreadable image",
                photo.message() + "; the image and its labels are skipped");
      return false;
    }
    if (in_xml && (photo->width != width || photo->height != height)) {
      add_issue(report, Severity::kWarning, location, "size mismatch",
                "<size> says " + std::to_string(width) + "x" + std::to_string(height) +
                    " but the photo is " + std::to_string(photo->width) + "x" +
                    std::to_string(photo->height) + "; the photo's size is used");
    }
    image.width = photo->width;
    image.height = photo->height;
    return true;
  }
  image.path.clear();
  if (!in_xml) {
    add_issue(report, Severity::kError, location, "missing size",
              "no positive <size><width>/<height> and no photo '" + image.file_name +
                  "' to read the size from; the image is skipped");
    return false;
  }
  add_issue(report, Severity::kWarning, location, "missing photo",
            "photo '" + image.file_name + "' not found; its size is taken from <size>");
  image.width = static_cast<int>(std::min<int64_t>(width, INT32_MAX));
  image.height = static_cast<int>(std::min<int64_t>(height, INT32_MAX));
  return true;
}

// Reads the objects of one file; bad objects are reported and skipped.
void read_objects(const XmlElement& root, const std::string& file_location, const VocFile& file,
                  std::vector<VocObject>& objects, int& found, ValidationReport& report) {
  static constexpr const char* kCorners[4] = {"xmin", "ymin", "xmax", "ymax"};
  for (const auto& element : root.children) {
    if (element->name != "object") continue;
    ++found;
    VocObject object;
    object.location = file_location + ":" + std::to_string(element->line);
    object.name = child_text(*element, "name");
    if (object.name.empty()) {
      add_issue(report, Severity::kError, object.location, "unknown class",
                "<object> has no <name>; object skipped");
      count_skipped(report, "unknown class");
      continue;
    }
    const XmlElement* box = element->child("bndbox");
    double corners[4] = {};
    std::string problem;
    for (int i = 0; i < 4 && problem.empty(); ++i) {
      const std::string text = box ? child_text(*box, kCorners[i]) : "";
      if (!box) {
        problem = "<object> has no <bndbox>";
      } else if (!parse_finite_double(text, corners[i])) {
        problem = std::string("<") + kCorners[i] + "> '" + text + "' is not a finite number";
      }
    }
    if (problem.empty() && (corners[2] <= corners[0] || corners[3] <= corners[1])) {
      problem = "box xmin " + format_number(corners[0]) + " xmax " + format_number(corners[2]) +
                " ymin " + format_number(corners[1]) + " ymax " + format_number(corners[3]) +
                ": max must be above min";
    }
    const double width = file.image.width, height = file.image.height;
    if (problem.empty() &&
        (corners[0] < -kBoundsTolerancePixels || corners[1] < -kBoundsTolerancePixels ||
         corners[2] > width + kBoundsTolerancePixels ||
         corners[3] > height + kBoundsTolerancePixels)) {
      problem = "box x [" + format_number(corners[0]) + ", " + format_number(corners[2]) + "] y [" +
                format_number(corners[1]) + ", " + format_number(corners[3]) +
                "] goes outside the " + std::to_string(file.image.width) + "x" +
                std::to_string(file.image.height) + " photo by more than " +
                format_number(kBoundsTolerancePixels) + " px";
    }
    if (!problem.empty()) {
      const std::string kind = box ? "malformed box" : "malformed object";
      add_issue(report, Severity::kError, object.location, kind, problem + "; object skipped");
      count_skipped(report, kind);
      continue;
    }
    object.xmin = corners[0];
    object.ymin = corners[1];
    object.xmax = corners[2];
    object.ymax = corners[3];
    object.difficult = child_text(*element, "difficult") == "1";
    objects.push_back(std::move(object));
  }
}

}  // namespace

Result<Dataset> load_voc_folder(const fs::path& folder, const DatasetOptions& options,
                                ValidationReport& report) {
  const fs::path annotations_dir =
      folder_exists(folder / "Annotations") ? folder / "Annotations" : folder;
  fs::path images_dir = folder;
  if (folder_exists(folder / "JPEGImages")) {
    images_dir = folder / "JPEGImages";
  } else if (folder_exists(folder / "images")) {
    images_dir = folder / "images";
  }

  const std::vector<fs::path> xml_files = files_with_extension(annotations_dir, ".xml");
  if (xml_files.empty()) {
    const std::string rule =
        "no Pascal VOC annotations (*.xml) in '" + annotations_dir.string() + "'";
    add_issue(report, Severity::kError, annotations_dir.string(), "no images", rule);
    return make_error(rule);
  }
  if (xml_files.size() > static_cast<size_t>(options.max_images)) {
    const std::string rule = std::to_string(xml_files.size()) + " annotation files in '" +
                             annotations_dir.string() + "' exceed the limit of " +
                             std::to_string(options.max_images) + " images";
    add_issue(report, Severity::kError, annotations_dir.string(), "too many images", rule);
    return make_error(rule);
  }
  report.images_found = static_cast<int>(xml_files.size());

  std::vector<VocFile> files;
  int64_t annotations_found = 0;
  for (const fs::path& xml_path : xml_files) {
    const std::string location = relative_location(xml_path, folder);
    Result<std::string> text = read_text_file(xml_path, kMaxTextFileBytes);
    if (!text.ok()) {
      add_issue(report, Severity::kError, location, "unreadable label file",
                text.message() + "; the image is skipped");
      count_skipped(report, "unreadable label file");
      continue;
    }
    Result<std::unique_ptr<XmlElement>> root = XmlParser(*text).parse();
    if (!root.ok() || (*root)->name != "annotation") {
      const std::string rule = root.ok()
                                   ? "the root element is <" + (*root)->name + ">, not <annotation>"
                                   : root.message();
      add_issue(report, Severity::kError, location, "malformed XML",
                rule + "; the image is skipped");
      count_skipped(report, "malformed XML");
      continue;
    }

    VocFile file;
    file.image.id = static_cast<int64_t>(files.size()) + 1;
    file.image.file_name = child_text(**root, "filename");
    if (file.image.file_name.empty()) {
      file.image.file_name = xml_path.stem().string() + ".jpg";
      add_issue(report, Severity::kWarning, location, "missing file name",
                "no <filename>; the photo is taken to be '" + file.image.file_name + "'");
    }
    // A file name must not lead out of the images folder.
    const fs::path name_path(file.image.file_name);
    if (name_path.has_parent_path() || name_path.is_absolute()) {
      add_issue(report, Severity::kError, location, "malformed XML",
                "<filename> '" + file.image.file_name +
                    "' must be a plain file name; the image is skipped");
      count_skipped(report, "malformed XML");
      continue;
    }
    file.image.path = (images_dir / name_path).string();
    int found = 0;
    if (!read_size(**root, location, file.image, options, report)) {
      for (const auto& element : (*root)->children)
        found += element->name == "object";
      annotations_found += found;
      count_skipped(report, "unreadable image");
      count_skipped(report, "labels of unreadable image", found);
      continue;
    }
    read_objects(**root, location, file, file.objects, found, report);
    annotations_found += found;
    if (annotations_found > options.max_annotations) {
      const std::string rule = "more than " + std::to_string(options.max_annotations) +
                               " objects in '" + annotations_dir.string() + "'";
      add_issue(report, Severity::kError, location, "too many annotations", rule);
      return make_error(rule);
    }
    files.push_back(std::move(file));
  }
  report.annotations_found = static_cast<int>(std::min<int64_t>(annotations_found, INT32_MAX));

  // Class ids: classes.txt order when present (as our export writes it), else sorted names.
  std::vector<std::string> names;
  std::error_code error;
  const fs::path classes_path = folder / "classes.txt";
  if (fs::is_regular_file(classes_path, error)) {
    Result<std::string> text = read_text_file(classes_path, kMaxTextFileBytes);
    if (!text.ok()) {
      add_issue(report, Severity::kError, "classes.txt", "unreadable classes file", text.message());
      return text.error();
    }
    for (std::string_view line : split_lines(*text))
      names.emplace_back(trim(line));
    while (!names.empty() && names.back().empty())
      names.pop_back();
  } else {
    std::set<std::string> found;
    for (const VocFile& file : files) {
      for (const VocObject& object : file.objects)
        found.insert(object.name);
    }
    names.assign(found.begin(), found.end());
  }
  std::map<std::string, int64_t> id_by_name;
  for (size_t i = 0; i < names.size(); ++i)
    id_by_name.emplace(names[i], static_cast<int64_t>(i));

  Dataset dataset;
  dataset.format = DatasetFormat::kVoc;
  dataset.source = folder.string();
  for (size_t i = 0; i < names.size(); ++i) {
    dataset.categories.push_back(Category{static_cast<int64_t>(i), names[i]});
  }
  for (VocFile& file : files) {
    for (const VocObject& object : file.objects) {
      const auto id = id_by_name.find(object.name);
      if (id == id_by_name.end()) {
        add_issue(report, Severity::kError, object.location, "unknown class",
                  "class '" + object.name + "' is not in classes.txt (" +
                      std::to_string(names.size()) + " classes); object skipped");
        count_skipped(report, "unknown class");
        continue;
      }
      GroundTruth truth;
      truth.id = static_cast<int64_t>(dataset.annotations.size()) + 1;
      truth.image_id = file.image.id;
      truth.category_id = id->second;
      truth.x = object.xmin;
      truth.y = object.ymin;
      truth.width = object.xmax - object.xmin;
      truth.height = object.ymax - object.ymin;
      truth.area = truth.width * truth.height;
      // VOC's "difficult" is what write_voc_xml writes for a crowd region.
      truth.crowd = object.difficult;
      dataset.annotations.push_back(truth);
    }
    dataset.images.push_back(std::move(file.image));
  }
  if (dataset.images.empty()) {
    const std::string rule = "none of the " + std::to_string(xml_files.size()) +
                             " annotation files in '" + annotations_dir.string() +
                             "' could be used";
    return make_error(rule);
  }
  read_tags_file(folder, dataset.images, report);
  return dataset;
}

}  // namespace sightline::eval::detail
