// Dataset readers: COCO128 in both formats, and hand-made bad datasets that must each give the
// right validation issue (kind, location, rule) without crashing.
#include "eval/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "eval/label_writers.h"
#include "eval/temp_folder.h"
#include "support/paths.h"

namespace sightline::eval {
namespace {

using sightline::testing::TempFolder;

std::string coco128_dir() {
  return sightline::testing::data_dir() + "/coco128";
}

std::string coco128_json() {
  return coco128_dir() + "/instances_train2017_coco128.json";
}

const ValidationIssue* find_issue(const ValidationReport& report, const std::string& kind) {
  for (const ValidationIssue& issue : report.issues) {
    if (issue.kind == kind) {
      return &issue;
    }
  }
  return nullptr;
}

int count_issues(const ValidationReport& report, const std::string& kind) {
  return static_cast<int>(std::count_if(report.issues.begin(), report.issues.end(),
                                        [&](const auto& issue) { return issue.kind == kind; }));
}

std::string describe(const ValidationReport& report) {
  std::string text;
  for (const ValidationIssue& issue : report.issues) {
    text += std::string(severity_name(issue.severity)) + " " + issue.location + " [" + issue.kind +
            "] " + issue.rule + "\n";
  }
  return text;
}

// A YOLO folder with one 100x50 photo "a.png", classes.txt naming `class_count` classes and the
// given label text for the photo.
void make_yolo(const TempFolder& folder, const std::string& labels, int class_count = 80) {
  std::string classes;
  for (int i = 0; i < class_count; ++i) {
    classes += "class" + std::to_string(i) + "\n";
  }
  folder.write("classes.txt", classes);
  folder.write_photo("images/a.png", 100, 50);
  folder.write("labels/a.txt", labels);
}

Result<Dataset> load(const std::string& path, ValidationReport& report,
                     const DatasetOptions& options = {}) {
  return load_dataset(path, options, report);
}

TEST(DatasetYolo, LoadsCoco128WithBackgroundImagesCounted) {
  ValidationReport report;
  Result<Dataset> dataset = load(coco128_dir(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  EXPECT_EQ(dataset->format, DatasetFormat::kYolo);
  EXPECT_EQ(dataset->images.size(), 128u);
  EXPECT_EQ(dataset->categories.size(), 80u);
  EXPECT_EQ(dataset->categories[0].name, "person");
  EXPECT_EQ(dataset->annotations.size(), 929u);
  EXPECT_EQ(report.images_found, 128);
  EXPECT_EQ(report.images_used, 128);
  EXPECT_EQ(report.background_images, 2);
  EXPECT_EQ(report.annotations_found, 929);
  EXPECT_EQ(report.annotations_used, 929);
  EXPECT_EQ(report.error_count(), 0) << describe(report);
  EXPECT_EQ(report.warning_count(), 0) << describe(report);
  EXPECT_EQ(count_issues(report, "background image"), 2);

  std::set<int64_t> classes_present;
  for (const GroundTruth& truth : dataset->annotations) {
    classes_present.insert(truth.category_id);
  }
  EXPECT_EQ(classes_present.size(), 71u);

  // Ids follow the sorted file names; annotation ids run 1..M in image order.
  EXPECT_EQ(dataset->images.front().file_name, "000000000009.jpg");
  EXPECT_EQ(dataset->images.front().id, 1);
  EXPECT_EQ(dataset->images.front().width, 640);
  EXPECT_EQ(dataset->images.front().height, 480);
  EXPECT_EQ(dataset->images.back().id, 128);
  for (size_t i = 0; i < dataset->annotations.size(); ++i) {
    EXPECT_EQ(dataset->annotations[i].id, static_cast<int64_t>(i) + 1);
  }
  EXPECT_TRUE(std::is_sorted(dataset->annotations.begin(), dataset->annotations.end(),
                             [](const auto& a, const auto& b) { return a.image_id < b.image_id; }));

  // The first line of 000000000009.txt: "45 0.479492 0.688771 0.955609 0.5955" on 640x480.
  const GroundTruth& first = dataset->annotations.front();
  EXPECT_EQ(first.image_id, 1);
  EXPECT_EQ(first.category_id, 45);
  EXPECT_NEAR(first.x, (0.479492 - 0.955609 / 2) * 640, 1e-9);
  EXPECT_NEAR(first.y, (0.688771 - 0.5955 / 2) * 480, 1e-9);
  EXPECT_NEAR(first.width, 0.955609 * 640, 1e-9);
  EXPECT_NEAR(first.area, 0.955609 * 640 * 0.5955 * 480, 1e-6);
  EXPECT_FALSE(first.crowd);
}

TEST(DatasetCoco, LoadsCoco128JsonWithCrowdAndSparseCategoryIds) {
  ValidationReport report;
  Result<Dataset> dataset = load(coco128_json(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  EXPECT_EQ(dataset->format, DatasetFormat::kCoco);
  EXPECT_EQ(dataset->images.size(), 128u);
  EXPECT_EQ(dataset->annotations.size(), 939u);
  EXPECT_EQ(dataset->categories.size(), 80u);
  EXPECT_EQ(report.annotations_found, 939);
  EXPECT_EQ(report.annotations_used, 939);
  EXPECT_EQ(report.background_images, 2);
  EXPECT_EQ(report.error_count(), 0) << describe(report);

  const auto crowd = std::count_if(dataset->annotations.begin(), dataset->annotations.end(),
                                   [](const GroundTruth& truth) { return truth.crowd; });
  EXPECT_EQ(crowd, 10);

  int64_t max_category = 0;
  for (const Category& category : dataset->categories) {
    max_category = std::max(max_category, category.id);
  }
  EXPECT_EQ(max_category, 90);

  for (const DatasetImage& image : dataset->images) {
    EXPECT_FALSE(image.path.empty()) << image.file_name;
  }
  EXPECT_EQ(dataset->images.front().file_name, "000000000009.jpg");
  EXPECT_EQ(dataset->images.front().id, 9);
}

TEST(DatasetCoco, AgreesWithYoloLabelsBoxForBoxOnNonCrowdBoxes) {
  ValidationReport yolo_report, coco_report;
  Result<Dataset> yolo = load(coco128_dir(), yolo_report);
  Result<Dataset> coco = load(coco128_json(), coco_report);
  ASSERT_TRUE(yolo.ok() && coco.ok());

  std::map<int64_t, std::string> yolo_name, coco_name;
  for (const DatasetImage& image : yolo->images) {
    yolo_name[image.id] = image.file_name;
  }
  for (const DatasetImage& image : coco->images) {
    coco_name[image.id] = image.file_name;
  }
  std::map<std::string, std::vector<GroundTruth>> coco_boxes;
  int non_crowd = 0;
  for (const GroundTruth& truth : coco->annotations) {
    if (!truth.crowd) {
      coco_boxes[coco_name[truth.image_id]].push_back(truth);
      ++non_crowd;
    }
  }
  EXPECT_EQ(non_crowd, 929);

  int matched = 0;
  for (const GroundTruth& box : yolo->annotations) {
    std::vector<GroundTruth>& candidates = coco_boxes[yolo_name[box.image_id]];
    const int64_t category = coco2017_category_id(static_cast<int>(box.category_id));
    const auto found = std::find_if(candidates.begin(), candidates.end(), [&](const auto& c) {
      return c.category_id == category && std::abs(c.x - box.x) < 1e-3 &&
             std::abs(c.y - box.y) < 1e-3 && std::abs(c.width - box.width) < 1e-3 &&
             std::abs(c.height - box.height) < 1e-3;
    });
    if (found != candidates.end()) {
      candidates.erase(found);
      ++matched;
    } else {
      ADD_FAILURE() << "no COCO box for YOLO box " << box.id << " of " << yolo_name[box.image_id];
    }
  }
  EXPECT_EQ(matched, 929);
}

TEST(DatasetYolo, EmptyFolderFailsWithClearMessage) {
  TempFolder folder;
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("no images"), std::string::npos) << dataset.message();
  EXPECT_NE(dataset.message().find(folder.str()), std::string::npos) << dataset.message();
  EXPECT_NE(find_issue(report, "no images"), nullptr);
}

TEST(DatasetYolo, MissingPathFails) {
  ValidationReport report;
  Result<Dataset> dataset = load("/nonexistent/sightline/dataset", report);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("does not exist"), std::string::npos);
}

TEST(DatasetYolo, LineWithSixFieldsIsSkippedAsMalformed) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2 0.9\n2 0.5 0.5 0.4 0.4\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  const ValidationIssue* issue = find_issue(report, "malformed line");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->severity, Severity::kError);
  EXPECT_EQ(issue->location, "labels/a.txt:1");
  EXPECT_NE(issue->rule.find("found 6"), std::string::npos) << issue->rule;
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_EQ(dataset->annotations[0].category_id, 2);
  EXPECT_EQ(report.annotations_found, 2);
  EXPECT_EQ(report.annotations_used, 1);
  EXPECT_EQ(report.skipped_by_kind["malformed line"], 1);
}

TEST(DatasetYolo, NonNumericAndNanFieldsAreMalformed) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 abc 0.2 0.2\n\n1 nan 0.5 0.2 0.2\n1 0.5 0.5 inf 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(count_issues(report, "malformed line"), 3) << describe(report);
  EXPECT_EQ(report.issues[0].location, "labels/a.txt:1");
  EXPECT_EQ(dataset->annotations.size(), 0u);
  EXPECT_EQ(report.background_images, 1);
}

TEST(DatasetYolo, ClassId80With80ClassesNamesIdRangeAndFile) {
  TempFolder folder;
  make_yolo(folder, "80 0.5 0.5 0.2 0.2\n79 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  const ValidationIssue* issue = find_issue(report, "unknown class");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->location, "labels/a.txt:1");
  EXPECT_NE(issue->rule.find("class id 80 is outside [0, 79]"), std::string::npos) << issue->rule;
  EXPECT_NE(issue->rule.find("classes.txt"), std::string::npos) << issue->rule;
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_EQ(dataset->annotations[0].category_id, 79);
}

TEST(DatasetYolo, NonIntegerClassIdIsUnknownClass) {
  TempFolder folder;
  make_yolo(folder, "1.5 0.5 0.5 0.2 0.2\n-1 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  ASSERT_TRUE(load(folder.str(), report).ok());
  EXPECT_EQ(count_issues(report, "unknown class"), 2) << describe(report);
  EXPECT_NE(report.issues[0].rule.find("'1.5' is not an integer"), std::string::npos);
}

TEST(DatasetYolo, NegativeWidthIsSkipped) {
  TempFolder folder;
  make_yolo(folder, "3 0.5 0.5 -0.2 0.2\n3 0.5 0.5 0.2 0\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(count_issues(report, "zero or negative size"), 2) << describe(report);
  EXPECT_NE(report.issues[0].rule.find("-0.2"), std::string::npos) << report.issues[0].rule;
  EXPECT_EQ(dataset->annotations.size(), 0u);
  EXPECT_EQ(report.skipped_by_kind["zero or negative size"], 2);
}

TEST(DatasetYolo, CoordinatesOutOfRangeAreSkippedButRoundingIsTolerated) {
  TempFolder folder;
  make_yolo(folder, "0 0.95 0.5 0.2 0.2\n0 0.5 0.5 1.0005 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  const ValidationIssue* issue = find_issue(report, "coordinates out of range");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->location, "labels/a.txt:1");
  EXPECT_EQ(count_issues(report, "coordinates out of range"), 1);
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_NEAR(dataset->annotations[0].width, 100.05, 1e-9);
}

TEST(DatasetYolo, DuplicateBoxCopyIsRemovedWithWarning) {
  TempFolder folder;
  make_yolo(folder, "5 0.5 0.5 0.2 0.2\n5 0.50 0.5 0.2 0.2\n6 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  const ValidationIssue* issue = find_issue(report, "duplicate box");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->severity, Severity::kWarning);
  EXPECT_EQ(issue->location, "labels/a.txt:2");
  EXPECT_NE(issue->rule.find("line 1"), std::string::npos);
  EXPECT_EQ(dataset->annotations.size(), 2u);
  EXPECT_EQ(report.annotations_used, 2);
  EXPECT_EQ(report.annotations_found, 3);
}

TEST(DatasetYolo, LabelFileWithoutImageIsReportedAndSkipped) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  folder.write("labels/ghost.txt", "1 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  const ValidationIssue* issue = find_issue(report, "label file without image");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->severity, Severity::kWarning);
  EXPECT_EQ(issue->location, "labels/ghost.txt");
  EXPECT_EQ(dataset->images.size(), 1u);
  EXPECT_EQ(report.annotations_found, 3);
  EXPECT_EQ(report.annotations_used, 1);
  EXPECT_EQ(report.skipped_by_kind["label file without image"], 2);
  EXPECT_NE(validation_summary(report).find("and 1 of 3 annotations"), std::string::npos)
      << validation_summary(report);
}

TEST(DatasetYolo, ImageWithoutLabelsIsBackground) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  folder.write_photo("images/b.PNG", 30, 20);
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_EQ(dataset->images[1].file_name, "b.PNG");
  EXPECT_EQ(dataset->images[1].width, 30);
  EXPECT_EQ(report.background_images, 1);
  const ValidationIssue* issue = find_issue(report, "background image");
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(issue->severity, Severity::kInfo);
  EXPECT_EQ(issue->location, "images/b.PNG");
}

TEST(DatasetYolo, CorruptImageIsSkippedWithItsLabels) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  folder.write("images/broken.jpg", "this is not a JPEG");
  folder.write("labels/broken.txt", "1 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  const ValidationIssue* issue = find_issue(report, "unreadable image");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->location, "images/broken.jpg");
  EXPECT_EQ(dataset->images.size(), 1u);
  EXPECT_EQ(report.images_found, 2);
  EXPECT_EQ(report.images_used, 1);
  EXPECT_EQ(dataset->annotations.size(), 1u);
  EXPECT_EQ(report.skipped_by_kind["labels of unreadable image"], 1);
}

TEST(DatasetYolo, TruncatedPixelsAreFoundOnlyByFullDecode) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  std::vector<uint8_t> png = sightline::testing::png_header_only(64, 64);
  folder.write_bytes("images/header_only.png", png);

  ValidationReport header_report;
  Result<Dataset> by_header = load(folder.str(), header_report);
  ASSERT_TRUE(by_header.ok());
  EXPECT_EQ(by_header->images.size(), 2u);

  DatasetOptions options;
  options.check_image_pixels = true;
  ValidationReport pixel_report;
  Result<Dataset> by_pixels = load(folder.str(), pixel_report, options);
  ASSERT_TRUE(by_pixels.ok());
  EXPECT_EQ(by_pixels->images.size(), 1u);
  EXPECT_NE(find_issue(pixel_report, "unreadable image"), nullptr) << describe(pixel_report);
}

TEST(DatasetYolo, MissingClassesFileFails) {
  TempFolder folder;
  folder.write_photo("images/a.png", 10, 10);
  folder.write("labels/a.txt", "0 0.5 0.5 0.2 0.2\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("no classes.txt or *.names"), std::string::npos);
  EXPECT_NE(find_issue(report, "missing classes file"), nullptr);
}

TEST(DatasetYolo, ReadsSideBySideFolderWithNamesFile) {
  TempFolder folder;
  folder.write("coco.names", "cat\ndog\n\n");
  folder.write_photo("x.png", 40, 20);
  folder.write("x.txt", "1 0.5 0.5 0.5 0.5\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  ASSERT_EQ(dataset->categories.size(), 2u);
  EXPECT_EQ(dataset->categories[1].name, "dog");
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_DOUBLE_EQ(dataset->annotations[0].x, 10);
  EXPECT_DOUBLE_EQ(dataset->annotations[0].y, 5);
  EXPECT_DOUBLE_EQ(dataset->annotations[0].area, 200);
  EXPECT_EQ(report.error_count(), 0) << describe(report);
}

TEST(DatasetYolo, TooManyImagesFails) {
  TempFolder folder;
  make_yolo(folder, "");
  folder.write_photo("images/b.png", 10, 10);
  DatasetOptions options;
  options.max_images = 1;
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report, options);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("exceed the limit of 1"), std::string::npos);
}

TEST(DatasetYolo, TooManyAnnotationsFails) {
  TempFolder folder;
  make_yolo(folder, "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n");
  DatasetOptions options;
  options.max_annotations = 1;
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report, options);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("more than 1 labels"), std::string::npos);
}

TEST(DatasetYolo, TagsFileTagsImagesAndReportsBadLines) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  folder.write("tags.csv", "file_name,tags\na.png, night ,indoor\nmissing.png,day\n,x\na.png\n");
  ValidationReport report;
  Result<Dataset> dataset = load(folder.str(), report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(dataset->images[0].tags, (std::vector<std::string>{"night", "indoor"}));
  const ValidationIssue* unknown = find_issue(report, "tags for unknown image");
  ASSERT_NE(unknown, nullptr) << describe(report);
  EXPECT_EQ(unknown->location, "tags.csv:3");
  EXPECT_EQ(count_issues(report, "malformed tags line"), 2) << describe(report);
}

TEST(DatasetYolo, FingerprintIsStableAndFollowsContent) {
  TempFolder folder;
  make_yolo(folder, "1 0.5 0.5 0.2 0.2\n");
  ValidationReport first_report, second_report, changed_report;
  Result<Dataset> first = load(folder.str(), first_report);
  Result<Dataset> second = load(folder.str(), second_report);
  folder.write("labels/a.txt", "1 0.5 0.5 0.2 0.3\n");
  Result<Dataset> changed = load(folder.str(), changed_report);
  ASSERT_TRUE(first.ok() && second.ok() && changed.ok());

  const std::string fingerprint = dataset_fingerprint(*first);
  EXPECT_EQ(fingerprint.size(), 16u);
  EXPECT_EQ(fingerprint, dataset_fingerprint(*second));
  EXPECT_NE(fingerprint, dataset_fingerprint(*changed));
}

std::string coco_json(const std::string& annotations) {
  return R"({"images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 50},
                       {"id": 2, "file_name": "gone.png", "width": 10, "height": 10}],
            "categories": [{"id": 1, "name": "cat"}, {"id": 7, "name": "dog"}],
            "annotations": [)" +
         annotations + "]}";
}

TEST(DatasetCoco, DanglingImageIdIsSkippedWithJsonPath) {
  TempFolder folder;
  folder.write_photo("images/a.png", 100, 50);
  folder.write_photo("images/gone.png", 10, 10);
  const std::string json = folder.write(
      "data.json", coco_json(R"({"id": 1, "image_id": 1, "category_id": 7, "bbox": [1, 2, 3, 4],
                                 "area": 12, "iscrowd": 0},
                                {"id": 2, "image_id": 99, "category_id": 1,
                                 "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0})"));
  ValidationReport report;
  Result<Dataset> dataset = load(json, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  const ValidationIssue* issue = find_issue(report, "dangling image id");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->severity, Severity::kError);
  EXPECT_EQ(issue->location, "$.annotations[1].image_id");
  EXPECT_NE(issue->rule.find("99"), std::string::npos);
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_EQ(dataset->annotations[0].category_id, 7);
  EXPECT_EQ(report.annotations_found, 2);
  EXPECT_EQ(report.annotations_used, 1);
  EXPECT_EQ(report.background_images, 1);
}

TEST(DatasetCoco, TruncatedJsonFailsNamingFileAndPosition) {
  TempFolder folder;
  const std::string full = coco_json("");
  const std::string json = folder.write("cut.json", full.substr(0, full.size() / 2));
  ValidationReport report;
  Result<Dataset> dataset = load(json, report);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("cut.json"), std::string::npos) << dataset.message();
  EXPECT_NE(dataset.message().find("invalid JSON at byte"), std::string::npos) << dataset.message();
  EXPECT_NE(find_issue(report, "invalid JSON"), nullptr);
}

TEST(DatasetCoco, JsonCutAtEveryByteFailsOrLoadsWithoutCrashing) {
  TempFolder folder;
  folder.write_photo("a.png", 100, 50);
  const std::string full = coco_json(
      R"({"id": 1, "image_id": 1, "category_id": 7, "bbox": [1, 2, 3, 4], "iscrowd": 0})");
  int loaded = 0;
  for (size_t length = 0; length <= full.size(); ++length) {
    const std::string json = folder.write("data.json", full.substr(0, length));
    ValidationReport report;
    Result<Dataset> dataset = load(json, report);
    if (dataset.ok()) {
      ++loaded;
    } else {
      EXPECT_NE(dataset.message().find("data.json"), std::string::npos) << dataset.message();
    }
  }
  // Only the whole text (and the same text without trailing characters) is valid JSON.
  EXPECT_EQ(loaded, 1);
}

TEST(DatasetCoco, EachBadAnnotationGetsItsOwnIssue) {
  TempFolder folder;
  folder.write_photo("images/a.png", 100, 50);
  folder.write_photo("images/gone.png", 10, 10);
  const std::string json = folder.write(
      "data.json", coco_json(R"({"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]},
                   {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1, 2, "3", 4]},
                   {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1, 2, -3, 4]},
                   {"id": 4, "image_id": 1, "category_id": 1, "bbox": [90, 2, 30, 4]},
                   {"id": 4, "image_id": 1, "category_id": 1, "bbox": [5, 5, 5, 5]},
                   {"id": 5, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]},
                   {"id": 6, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2],
                    "iscrowd": 1, "area": 3.5},
                   "not an object")"));
  ValidationReport report;
  Result<Dataset> dataset = load(json, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  const ValidationIssue* category = find_issue(report, "unknown category");
  ASSERT_NE(category, nullptr) << describe(report);
  EXPECT_EQ(category->location, "$.annotations[0].category_id");
  const ValidationIssue* bbox = find_issue(report, "malformed bbox");
  ASSERT_NE(bbox, nullptr);
  EXPECT_EQ(bbox->location, "$.annotations[1].bbox[2]");
  EXPECT_NE(find_issue(report, "zero or negative size"), nullptr);
  const ValidationIssue* outside = find_issue(report, "box outside image");
  ASSERT_NE(outside, nullptr);
  EXPECT_EQ(outside->severity, Severity::kWarning);
  const ValidationIssue* duplicate_id = find_issue(report, "duplicate annotation id");
  ASSERT_NE(duplicate_id, nullptr);
  EXPECT_EQ(duplicate_id->location, "$.annotations[4].id");
  const ValidationIssue* duplicate_box = find_issue(report, "duplicate box");
  ASSERT_NE(duplicate_box, nullptr);
  EXPECT_EQ(duplicate_box->location, "$.annotations[6]");
  EXPECT_NE(find_issue(report, "malformed annotation"), nullptr);
  const ValidationIssue* area = find_issue(report, "area missing");
  ASSERT_NE(area, nullptr);
  EXPECT_EQ(area->severity, Severity::kInfo);

  // Kept: the box outside the image (id 4), and both copies of the duplicate box (5, 6).
  ASSERT_EQ(dataset->annotations.size(), 3u);
  EXPECT_EQ(dataset->annotations[0].id, 4);
  EXPECT_DOUBLE_EQ(dataset->annotations[0].area, 120);
  EXPECT_TRUE(dataset->annotations[2].crowd);
  EXPECT_DOUBLE_EQ(dataset->annotations[2].area, 3.5);
  EXPECT_EQ(report.annotations_found, 8);
  EXPECT_EQ(report.error_count(), 5) << describe(report);
}

TEST(DatasetCoco, MissingPhotoKeepsImageWithEmptyPath) {
  TempFolder folder;
  folder.write_photo("a.png", 100, 50);
  const std::string json = folder.write("data.json", coco_json(""));
  ValidationReport report;
  Result<Dataset> dataset = load(json, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_FALSE(dataset->images[0].path.empty());
  EXPECT_TRUE(dataset->images[1].path.empty());
  const ValidationIssue* issue = find_issue(report, "photo not found");
  ASSERT_NE(issue, nullptr) << describe(report);
  EXPECT_EQ(issue->location, "$.images[1]");
  EXPECT_EQ(report.images_used, 2);
}

TEST(DatasetCoco, DuplicateImageIdAndMalformedImageAreErrors) {
  TempFolder folder;
  folder.write_photo("a.png", 100, 50);
  const std::string json = folder.write("data.json", R"({
      "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 50},
                 {"id": 1, "file_name": "a.png", "width": 100, "height": 50},
                 {"id": 3, "file_name": "a.png", "width": "wide", "height": 50}],
      "annotations": [{"id": 1, "image_id": 3, "category_id": 1, "bbox": [1, 1, 2, 2]}],
      "categories": [{"id": 1, "name": "cat"}]})");
  ValidationReport report;
  Result<Dataset> dataset = load(json, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(dataset->images.size(), 1u);
  const ValidationIssue* duplicate = find_issue(report, "duplicate image id");
  ASSERT_NE(duplicate, nullptr) << describe(report);
  EXPECT_EQ(duplicate->location, "$.images[1].id");
  const ValidationIssue* malformed = find_issue(report, "malformed image");
  ASSERT_NE(malformed, nullptr);
  EXPECT_EQ(malformed->location, "$.images[2].width");
  EXPECT_NE(find_issue(report, "annotation of skipped image"), nullptr);
  EXPECT_EQ(report.images_found, 3);
  EXPECT_EQ(report.images_used, 1);
}

TEST(DatasetCoco, WrongTopLevelFails) {
  TempFolder folder;
  for (const std::string text : {"[1, 2]", R"({"images": []})", R"({"images": [],
        "annotations": [], "categories": []})"}) {
    const std::string json = folder.write("data.json", text);
    ValidationReport report;
    Result<Dataset> dataset = load(json, report);
    EXPECT_FALSE(dataset.ok()) << text;
    EXPECT_NE(dataset.message().find("data.json"), std::string::npos) << dataset.message();
  }
}

TEST(DatasetReport, SummarySaysUsedSkippedAndWhy) {
  TempFolder folder;
  make_yolo(folder, "80 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n");
  ValidationReport report;
  ASSERT_TRUE(load(folder.str(), report).ok());
  EXPECT_EQ(validation_summary(report),
            "used 1 of 1 images (0 background) and 1 of 3 annotations; skipped 0 images and 2 "
            "annotations: 1 malformed line, 1 unknown class; 2 errors, 0 warnings");
}

}  // namespace
}  // namespace sightline::eval
