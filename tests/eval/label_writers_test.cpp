// Label writers and the COCO results reader: every writer's output read back by our readers
// gives the boxes written, and bad results files are reported entry by entry.
#include "eval/label_writers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "eval/temp_folder.h"
#include "support/paths.h"

namespace sightline::eval {
namespace {

using sightline::testing::TempFolder;
namespace fs = std::filesystem;

std::string coco128_dir() {
  return sightline::testing::data_dir() + "/coco128";
}

const ValidationIssue* find_issue(const ValidationReport& report, const std::string& kind) {
  for (const ValidationIssue& issue : report.issues) {
    if (issue.kind == kind) {
      return &issue;
    }
  }
  return nullptr;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
  }
  return lines;
}

Dataset small_dataset() {
  Dataset dataset;
  dataset.format = DatasetFormat::kCoco;
  dataset.images = {{5, "a.jpg", "", 100, 50, {}}, {9, "b.jpg", "", 64, 64, {}}};
  dataset.categories = {{1, "cat"}, {18, "dog"}};
  return dataset;
}

TEST(CocoCategoryIds, MatchCoco128JsonCategoriesInClassOrder) {
  ValidationReport report;
  Result<Dataset> coco =
      load_dataset(coco128_dir() + "/instances_train2017_coco128.json", {}, report);
  ASSERT_TRUE(coco.ok()) << coco.message();
  std::map<int64_t, std::string> name_by_id;
  for (const Category& category : coco->categories) {
    name_by_id[category.id] = category.name;
  }

  const std::vector<std::string> class_names = read_lines(coco128_dir() + "/classes.txt");
  ASSERT_EQ(class_names.size(), 80u);
  for (int i = 0; i < 80; ++i) {
    EXPECT_EQ(name_by_id[coco2017_category_id(i)], class_names[i]) << "class " << i;
  }
  EXPECT_EQ(coco2017_category_id(0), 1);
  EXPECT_EQ(coco2017_category_id(79), 90);
  EXPECT_EQ(coco2017_category_id(80), -1);
  EXPECT_EQ(coco2017_category_id(-1), -1);
}

TEST(CocoResults, RoundTripIsExact) {
  const Dataset dataset = small_dataset();
  const std::vector<ScoredBox> detections = {{5, 1, 0.1, 2.25, 30.123456789012345, 4, 0.9},
                                             {9, 18, 1e-7, 0, 1, 1, 1.0 / 3},
                                             {5, 99, 3, 4, 5, 6, 0.001}};
  const std::string json = write_coco_results_json(detections);

  ValidationReport report;
  Result<std::vector<ScoredBox>> read = read_coco_results_json(json, "r.json", dataset, report);
  ASSERT_TRUE(read.ok()) << read.message();
  ASSERT_EQ(read->size(), detections.size());
  for (size_t i = 0; i < detections.size(); ++i) {
    const ScoredBox& a = detections[i];
    const ScoredBox& b = (*read)[i];
    EXPECT_EQ(a.image_id, b.image_id);
    EXPECT_EQ(a.category_id, b.category_id);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.y, b.y);
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    EXPECT_EQ(a.score, b.score);
  }
  // Category 99 is not in the dataset: kept, and reported once.
  const ValidationIssue* unknown = find_issue(report, "unknown category");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->location, "$[2].category_id");
  EXPECT_EQ(report.error_count(), 0);
}

TEST(CocoResults, BadEntriesAreSkippedWithJsonPaths) {
  const Dataset dataset = small_dataset();
  const std::string json = R"([
    {"image_id": 5, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
    {"image_id": 5, "category_id": 1, "bbox": [1, 2, 3, 4]},
    {"image_id": 77, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
    {"image_id": 5, "category_id": 1, "bbox": [1, 2, -3, 4], "score": 0.5},
    {"image_id": 5, "category_id": 1, "bbox": [1, "2", 3, 4], "score": 0.5},
    {"image_id": "5", "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
    {"image_id": 5, "category_id": 1, "bbox": [1, 2, 3], "score": 0.5},
    7])";
  ValidationReport report;
  Result<std::vector<ScoredBox>> read = read_coco_results_json(json, "r.json", dataset, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(read->size(), 1u);
  EXPECT_EQ(report.error_count(), 7);
  EXPECT_EQ(report.annotations_found, 8);
  EXPECT_EQ(report.annotations_used, 1);

  std::map<std::string, std::string> kind_at;
  for (const ValidationIssue& issue : report.issues) {
    kind_at[issue.location] = issue.kind;
  }
  EXPECT_EQ(kind_at["$[1].score"], "malformed detection");
  EXPECT_EQ(kind_at["$[2].image_id"], "unknown image id");
  EXPECT_EQ(kind_at["$[3].bbox"], "negative size");
  EXPECT_EQ(kind_at["$[4].bbox[1]"], "malformed detection");
  EXPECT_EQ(kind_at["$[5].image_id"], "malformed detection");
  EXPECT_EQ(kind_at["$[6].bbox"], "malformed detection");
  EXPECT_EQ(kind_at["$[7]"], "malformed detection");
}

TEST(CocoResults, NotAnArrayOrNotJsonFails) {
  const Dataset dataset = small_dataset();
  for (const std::string text : {"{\"image_id\": 1}", "[{\"image_id\": 1", ""}) {
    ValidationReport report;
    Result<std::vector<ScoredBox>> read = read_coco_results_json(text, "r.json", dataset, report);
    EXPECT_FALSE(read.ok()) << text;
    EXPECT_NE(read.message().find("r.json"), std::string::npos) << read.message();
  }
}

TEST(CocoResults, ZeroBasedClassIndicesGetAHint) {
  const Dataset dataset = small_dataset();
  ValidationReport report;
  Result<std::vector<ScoredBox>> read = read_coco_results_json(
      R"([{"image_id": 5, "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.5}])", "r.json",
      dataset, report);
  ASSERT_TRUE(read.ok());
  const ValidationIssue* unknown = find_issue(report, "unknown category");
  ASSERT_NE(unknown, nullptr);
  EXPECT_NE(unknown->rule.find("0-based class indices"), std::string::npos) << unknown->rule;
}

TEST(YoloWriter, Coco128RoundTripsThroughTheYoloReader) {
  ValidationReport source_report;
  Result<Dataset> source = load_dataset(coco128_dir(), {}, source_report);
  ASSERT_TRUE(source.ok()) << source.message();

  // Photos are linked, not copied; labels come from the writer.
  TempFolder folder;
  fs::create_directories(folder.path() / "images");
  std::map<int64_t, std::vector<GroundTruth>> boxes_of_image;
  for (const GroundTruth& truth : source->annotations) {
    boxes_of_image[truth.image_id].push_back(truth);
  }
  for (const DatasetImage& image : source->images) {
    std::error_code error;
    fs::create_symlink(image.path, folder.path() / "images" / image.file_name, error);
    if (error) {
      fs::copy_file(image.path, folder.path() / "images" / image.file_name);
    }
    const auto boxes = boxes_of_image.find(image.id);
    if (boxes == boxes_of_image.end()) {
      continue;
    }
    Result<YoloLabelText> labels =
        write_yolo_labels(boxes->second, image.width, image.height, source->categories);
    ASSERT_TRUE(labels.ok()) << labels.message();
    EXPECT_EQ(labels->crowd_left_out, 0);
    folder.write("labels/" + fs::path(image.file_name).stem().string() + ".txt", labels->text);
  }
  folder.write("classes.txt", write_classes_txt(source->categories));

  ValidationReport report;
  Result<Dataset> read = load_dataset(folder.str(), {}, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(report.error_count(), 0);
  ASSERT_EQ(read->annotations.size(), source->annotations.size());
  ASSERT_EQ(read->images.size(), source->images.size());
  for (size_t i = 0; i < read->categories.size(); ++i) {
    EXPECT_EQ(read->categories[i].name, source->categories[i].name);
  }
  // Six decimals of a 640-pixel side: the written values round by at most 0.5e-6 of the side.
  for (size_t i = 0; i < read->annotations.size(); ++i) {
    const GroundTruth& a = source->annotations[i];
    const GroundTruth& b = read->annotations[i];
    EXPECT_EQ(a.image_id, b.image_id);
    EXPECT_EQ(a.category_id, b.category_id);
    EXPECT_NEAR(a.x, b.x, 1e-3);
    EXPECT_NEAR(a.y, b.y, 1e-3);
    EXPECT_NEAR(a.width, b.width, 1e-3);
    EXPECT_NEAR(a.height, b.height, 1e-3);
  }
}

TEST(YoloWriter, LeavesOutCrowdAndRejectsUnknownCategory) {
  const std::vector<Category> categories = {{1, "cat"}, {18, "dog"}};
  GroundTruth plain{1, 5, 18, 10, 10, 20, 10, 200, false};
  GroundTruth crowd{2, 5, 1, 0, 0, 50, 50, 2500, true};
  const std::vector<GroundTruth> boxes = {plain, crowd};
  Result<YoloLabelText> labels = write_yolo_labels(boxes, 100, 50, categories);
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->text, "1 0.200000 0.300000 0.200000 0.200000\n");
  EXPECT_EQ(labels->crowd_left_out, 1);

  GroundTruth stray{3, 5, 44, 1, 1, 2, 2, 4, false};
  const std::vector<GroundTruth> stray_boxes = {stray};
  Result<YoloLabelText> rejected = write_yolo_labels(stray_boxes, 100, 50, categories);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.message().find("category id 44"), std::string::npos);
  EXPECT_FALSE(write_yolo_labels(boxes, 0, 50, categories).ok());

  const std::vector<ScoredBox> detections = {{5, 1, 0, 0, 50, 25, 0.75}};
  Result<std::string> with_scores = write_yolo_detections(detections, 100, 50, categories, true, 3);
  ASSERT_TRUE(with_scores.ok());
  EXPECT_EQ(*with_scores, "0 0.250 0.250 0.500 0.500 0.750\n");
}

TEST(CocoDatasetWriter, Coco128JsonRoundTripsExactly) {
  ValidationReport source_report;
  const std::string json_path = coco128_dir() + "/instances_train2017_coco128.json";
  Result<Dataset> source = load_dataset(json_path, {}, source_report);
  ASSERT_TRUE(source.ok()) << source.message();

  TempFolder folder;
  const std::string written = folder.write("out.json", write_coco_dataset_json(*source));
  DatasetOptions options;
  options.images_dir = coco128_dir() + "/images";
  ValidationReport report;
  Result<Dataset> read = load_dataset(written, options, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(report.error_count(), 0);

  ASSERT_EQ(read->images.size(), source->images.size());
  for (size_t i = 0; i < read->images.size(); ++i) {
    EXPECT_EQ(read->images[i].id, source->images[i].id);
    EXPECT_EQ(read->images[i].file_name, source->images[i].file_name);
    EXPECT_EQ(read->images[i].width, source->images[i].width);
    EXPECT_EQ(read->images[i].height, source->images[i].height);
  }
  ASSERT_EQ(read->categories.size(), source->categories.size());
  ASSERT_EQ(read->annotations.size(), source->annotations.size());
  for (size_t i = 0; i < read->annotations.size(); ++i) {
    const GroundTruth& a = source->annotations[i];
    const GroundTruth& b = read->annotations[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.image_id, b.image_id);
    EXPECT_EQ(a.category_id, b.category_id);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.y, b.y);
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    EXPECT_EQ(a.area, b.area);
    EXPECT_EQ(a.crowd, b.crowd);
  }
  EXPECT_EQ(dataset_fingerprint(*read), dataset_fingerprint(*source));
}

TEST(CocoDatasetWriter, YoloDatasetConvertsToCocoWithSameBoxes) {
  ValidationReport source_report;
  Result<Dataset> source = load_dataset(coco128_dir(), {}, source_report);
  ASSERT_TRUE(source.ok()) << source.message();

  TempFolder folder;
  const std::string written = folder.write("yolo_as_coco.json", write_coco_dataset_json(*source));
  DatasetOptions options;
  options.images_dir = coco128_dir() + "/images";
  ValidationReport report;
  Result<Dataset> read = load_dataset(written, options, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(report.error_count(), 0);
  ASSERT_EQ(read->annotations.size(), 929u);
  for (size_t i = 0; i < read->annotations.size(); ++i) {
    EXPECT_EQ(read->annotations[i].x, source->annotations[i].x);
    EXPECT_EQ(read->annotations[i].height, source->annotations[i].height);
    EXPECT_EQ(read->annotations[i].area, source->annotations[i].area);
    EXPECT_EQ(read->annotations[i].category_id, source->annotations[i].category_id);
  }
}

TEST(VocWriter, WritesEscapedNamesPixelCornersAndCrowdAsDifficult) {
  const DatasetImage image{5, "a&b.jpg", "", 100, 50, {}};
  const std::vector<Category> categories = {{1, "cat <big>"}, {18, "dog"}};
  const std::vector<GroundTruth> boxes = {{1, 5, 18, 10.5, 2, 20.25, 10, 200, false},
                                          {2, 5, 1, 0, 0, 50, 50, 2500, true}};
  Result<std::string> xml = write_voc_xml(image, boxes, categories);
  ASSERT_TRUE(xml.ok()) << xml.message();
  EXPECT_NE(xml->find("<filename>a&amp;b.jpg</filename>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<width>100</width>"), std::string::npos);
  EXPECT_NE(xml->find("<name>cat &lt;big&gt;</name>"), std::string::npos);
  EXPECT_NE(xml->find("<xmin>10.5</xmin>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<xmax>30.75</xmax>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<ymax>12</ymax>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<difficult>1</difficult>"), std::string::npos);

  const std::vector<GroundTruth> other_image = {{3, 6, 1, 0, 0, 1, 1, 1, false}};
  EXPECT_FALSE(write_voc_xml(image, other_image, categories).ok());
}

}  // namespace
}  // namespace sightline::eval
