// Label exports read back: YOLO, COCO and Pascal VOC files written by write_label_export and
// read by load_dataset give the same photos and boxes; the VOC reader reports bad files with
// file, line and rule; a non-empty folder is not overwritten without permission.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/dataset.h"
#include "eval/label_writers.h"
#include "eval/temp_folder.h"
#include "support/image_writer.h"

namespace sightline::eval {
namespace {

using sightline::testing::TempFolder;

Dataset two_photo_dataset() {
  Dataset dataset;
  dataset.categories = {{0, "cat"}, {1, "dog"}, {2, "bird"}};
  dataset.images = {{1, "b.png", "", 120, 80, {}}, {2, "a.png", "", 64, 48, {}}};
  auto add = [&](int64_t image, int64_t category, double x, double y, double w, double h) {
    GroundTruth truth;
    truth.id = static_cast<int64_t>(dataset.annotations.size()) + 1;
    truth.image_id = image;
    truth.category_id = category;
    truth.x = x;
    truth.y = y;
    truth.width = w;
    truth.height = h;
    truth.area = w * h;
    dataset.annotations.push_back(truth);
  };
  add(1, 1, 10.25, 5.5, 40.125, 30.75);
  add(1, 2, 0, 0, 120, 80);
  add(2, 0, 3.3333, 4.6667, 20.1, 10.9);
  return dataset;
}

std::vector<std::string> photos_for(const Dataset& dataset) {
  std::vector<std::string> photos;
  for (const DatasetImage& image : dataset.images) {
    const std::vector<uint8_t> png = sightline::testing::encode_test_image(
        image.width, image.height, sightline::testing::ImageFormat::kPng);
    photos.emplace_back(png.begin(), png.end());
  }
  return photos;
}

// Boxes keyed by photo name: "b.png dog 10.25 5.5 50.375 36.25".
struct NamedBox {
  std::string photo, label;
  double x1, y1, x2, y2;
};

std::vector<NamedBox> named_boxes(const Dataset& dataset) {
  std::vector<NamedBox> boxes;
  for (const GroundTruth& truth : dataset.annotations) {
    std::string photo, label;
    for (const DatasetImage& image : dataset.images)
      if (image.id == truth.image_id) photo = image.file_name;
    for (const Category& category : dataset.categories)
      if (category.id == truth.category_id) label = category.name;
    boxes.push_back(
        {photo, label, truth.x, truth.y, truth.x + truth.width, truth.y + truth.height});
  }
  std::sort(boxes.begin(), boxes.end(), [](const NamedBox& a, const NamedBox& b) {
    return std::tie(a.photo, a.label, a.x1) < std::tie(b.photo, b.label, b.x1);
  });
  return boxes;
}

class LabelExportRoundTrip : public ::testing::TestWithParam<LabelFormat> {};

TEST_P(LabelExportRoundTrip, ReadsBackTheSameBoxes) {
  const Dataset dataset = two_photo_dataset();
  Result<std::vector<ExportFile>> files =
      write_label_export(dataset, photos_for(dataset), GetParam());
  ASSERT_TRUE(files.ok()) << files.message();
  TempFolder folder;
  const std::string out = folder.str() + "/export";
  ASSERT_TRUE(write_export_folder(out, *files, false).ok());

  ValidationReport report;
  const std::string path = GetParam() == LabelFormat::kCoco ? out + "/annotations.json" : out;
  Result<Dataset> read = load_dataset(path, DatasetOptions{}, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(report.error_count(), 0);
  EXPECT_EQ(read->images.size(), 2u);

  // VOC keeps 2 decimals (0.005 px), YOLO 6 decimals of the normalised coordinates
  // (0.5e-6 x 120 px = 0.00006 px); COCO writes doubles exactly.
  const double tolerance = GetParam() == LabelFormat::kVoc ? 0.005 + 1e-9 : 1e-4;
  const std::vector<NamedBox> expected = named_boxes(dataset);
  const std::vector<NamedBox> actual = named_boxes(*read);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].photo, expected[i].photo);
    EXPECT_EQ(actual[i].label, expected[i].label);
    EXPECT_NEAR(actual[i].x1, expected[i].x1, tolerance) << expected[i].photo;
    EXPECT_NEAR(actual[i].y1, expected[i].y1, tolerance);
    EXPECT_NEAR(actual[i].x2, expected[i].x2, tolerance);
    EXPECT_NEAR(actual[i].y2, expected[i].y2, tolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, LabelExportRoundTrip,
                         ::testing::Values(LabelFormat::kYolo, LabelFormat::kCoco,
                                           LabelFormat::kVoc),
                         [](const auto& info) {
                           return std::string(label_format_name(info.param));
                         });

TEST(LabelExport, RefusesANonEmptyFolderWithoutOverwrite) {
  TempFolder folder;
  folder.write("out/old.txt", "keep me");
  const std::vector<ExportFile> files = {{"classes.txt", "cat\n"}};
  Status refused = write_export_folder(folder.str() + "/out", files, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("is not empty"), std::string::npos) << refused.message();
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "out/classes.txt"));
  EXPECT_TRUE(write_export_folder(folder.str() + "/out", files, true).ok());
  EXPECT_TRUE(std::filesystem::exists(folder.path() / "out/classes.txt"));
}

TEST(LabelExport, RefusesPhotosWhoseLabelFilesWouldCollide) {
  Dataset dataset = two_photo_dataset();
  dataset.images[1].file_name = "b.jpg";
  Result<std::vector<ExportFile>> files = write_label_export(dataset, {"", ""}, LabelFormat::kYolo);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.message().find("share the name stem 'b'"), std::string::npos) << files.message();
  EXPECT_FALSE(parse_label_format("pascal").ok());
}

std::string voc_xml(const std::string& objects) {
  return "<?xml version=\"1.0\"?>\n<annotation>\n  <filename>a.png</filename>\n"
         "  <size><width>100</width><height>50</height></size>\n" +
         objects + "</annotation>\n";
}

std::string voc_object(const std::string& name, const std::string& box) {
  return "  <object>\n    <name>" + name + "</name>\n    <bndbox>" + box +
         "</bndbox>\n  </object>\n";
}

const ValidationIssue* find_issue(const ValidationReport& report, const std::string& kind) {
  for (const ValidationIssue& issue : report.issues)
    if (issue.kind == kind) return &issue;
  return nullptr;
}

TEST(VocReader, ReportsBadObjectsWithFileLineAndRule) {
  TempFolder folder;
  folder.write_photo("JPEGImages/a.png", 100, 50);
  folder.write(
      "Annotations/a.xml",
      voc_xml(voc_object("dog &amp; cat",
                         "<xmin>1</xmin><ymin>2</ymin><xmax>30</xmax>"
                         "<ymax>40</ymax>") +
              voc_object("cat", "<xmin>5</xmin><ymin>2</ymin><xmax>3</xmax><ymax>40</ymax>") +
              voc_object("cat", "<xmin>5</xmin><ymin>2</ymin><xmax>150</xmax><ymax>40</ymax>") +
              voc_object("cat", "<xmin>five</xmin><ymin>2</ymin><xmax>9</xmax><ymax>9</ymax>")));
  ValidationReport report;
  Result<Dataset> dataset = load_dataset(folder.str(), DatasetOptions{}, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(dataset->format, DatasetFormat::kVoc);
  ASSERT_EQ(dataset->annotations.size(), 1u);
  EXPECT_EQ(dataset->categories[0].name, "dog & cat");
  EXPECT_EQ(report.annotations_found, 4);
  EXPECT_EQ(report.error_count(), 3);
  const ValidationIssue* issue = find_issue(report, "malformed box");
  ASSERT_NE(issue, nullptr);
  // The second <object> starts on line 9 of the file.
  EXPECT_EQ(issue->location, "Annotations/a.xml:9");
  EXPECT_NE(issue->rule.find("max must be above min"), std::string::npos) << issue->rule;
}

TEST(VocReader, MalformedXmlSkipsTheFileWithTheLine) {
  TempFolder folder;
  folder.write_photo("JPEGImages/a.png", 100, 50);
  folder.write_photo("JPEGImages/b.png", 100, 50);
  folder.write("Annotations/a.xml", "<annotation>\n<filename>a.png</filename>\n<size>\n");
  folder.write("Annotations/b.xml",
               "<annotation><filename>b.png</filename><object><name>x</name></objekt>"
               "</annotation>");
  folder.write("Annotations/c.xml", voc_xml(""));
  ValidationReport report;
  Result<Dataset> dataset = load_dataset(folder.str(), DatasetOptions{}, report);
  ASSERT_TRUE(dataset.ok()) << dataset.message();
  EXPECT_EQ(dataset->images.size(), 1u);
  int malformed = 0;
  for (const ValidationIssue& issue : report.issues) {
    if (issue.kind != "malformed XML") continue;
    ++malformed;
    EXPECT_TRUE(issue.rule.find("line ") == 0) << issue.rule;
  }
  EXPECT_EQ(malformed, 2);
}

TEST(VocReader, DeeplyNestedXmlIsRefusedNotACrash) {
  TempFolder folder;
  std::string deep;
  for (int i = 0; i < 100000; ++i)
    deep += "<a>";
  folder.write("Annotations/a.xml", deep);
  ValidationReport report;
  Result<Dataset> dataset = load_dataset(folder.str(), DatasetOptions{}, report);
  EXPECT_FALSE(dataset.ok());
  const ValidationIssue* issue = find_issue(report, "malformed XML");
  ASSERT_NE(issue, nullptr);
  EXPECT_NE(issue->rule.find("nested deeper than 64"), std::string::npos) << issue->rule;
}

}  // namespace
}  // namespace sightline::eval
