// The app's label export without the app: gallery label sets become an eval::Dataset (only the
// photos with labels, class ids as category ids, the model's class names), and the export files
// read back through load_dataset with the same boxes; an export without labels is refused with
// a message, and a box whose class has no name is named in the error.
#include "app/label_export.h"

#include <gtest/gtest.h>

#include <cmath>

#include "eval/dataset.h"
#include "eval/temp_folder.h"
#include "support/image_writer.h"

namespace sightline::app {
namespace {

const std::vector<std::string> kClasses = {"person", "bicycle", "car"};

std::vector<uint8_t> png(int width, int height) {
  return sightline::testing::encode_test_image(width, height,
                                               sightline::testing::ImageFormat::kPng);
}

TEST(LabelExportApp, OnlyPhotosWithBoxesOrReviewedJoinTheDataset) {
  LabelSet boxes(100, 80);
  ASSERT_TRUE(boxes.add({2, 10, 20, 50, 60}, 3).ok());
  ASSERT_TRUE(boxes.add({0, 1.5f, 2.5f, 30, 40}, 3).ok());
  LabelSet untouched(64, 64);
  LabelSet reviewed_empty(40, 30);
  ASSERT_TRUE(reviewed_empty.set_review(ReviewState::kReviewed).ok());

  const std::vector<LabelledPhoto> photos = {{"a.png", &boxes, nullptr},
                                             {"never.png", nullptr, nullptr},
                                             {"untouched.png", &untouched, nullptr},
                                             {"background.png", &reviewed_empty, nullptr}};
  Result<eval::Dataset> dataset = build_label_dataset(photos, kClasses);
  ASSERT_TRUE(dataset.ok()) << dataset.message();

  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_EQ(dataset->images[0].file_name, "a.png");
  EXPECT_EQ(dataset->images[0].width, 100);
  EXPECT_EQ(dataset->images[0].height, 80);
  EXPECT_EQ(dataset->images[1].file_name, "background.png");
  ASSERT_EQ(dataset->categories.size(), 3u);
  EXPECT_EQ(dataset->categories[2].id, 2);
  EXPECT_EQ(dataset->categories[2].name, "car");

  ASSERT_EQ(dataset->annotations.size(), 2u);
  const eval::GroundTruth& car = dataset->annotations[0];
  EXPECT_EQ(car.image_id, dataset->images[0].id);
  EXPECT_EQ(car.category_id, 2);
  EXPECT_DOUBLE_EQ(car.x, 10);
  EXPECT_DOUBLE_EQ(car.y, 20);
  EXPECT_DOUBLE_EQ(car.width, 40);
  EXPECT_DOUBLE_EQ(car.height, 40);
  EXPECT_DOUBLE_EQ(car.area, 1600);
  EXPECT_EQ(dataset->annotations[1].category_id, 0);
}

TEST(LabelExportApp, RefusesAnExportWithoutLabelledPhotos) {
  LabelSet untouched(64, 64);
  const std::vector<LabelledPhoto> photos = {{"a.png", &untouched, nullptr},
                                             {"b.png", nullptr, nullptr}};
  Result<std::vector<eval::ExportFile>> files =
      export_labels(photos, kClasses, eval::LabelFormat::kYolo);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.message().find("no photo has labels to export (2 in the gallery)"),
            std::string::npos)
      << files.message();
}

TEST(LabelExportApp, NamesABoxWhoseClassHasNoName) {
  LabelSet labels(50, 50);
  ASSERT_TRUE(labels.add({5, 1, 1, 20, 20}, 10).ok());
  Result<eval::Dataset> dataset = build_label_dataset({{"odd.png", &labels, nullptr}}, kClasses);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.message().find("odd.png: a box has class id 5, outside [0, 2]"),
            std::string::npos)
      << dataset.message();
}

class LabelExportAppRoundTrip : public ::testing::TestWithParam<eval::LabelFormat> {};

TEST_P(LabelExportAppRoundTrip, ExportedLabelsReadBackWithTheirPhotos) {
  LabelSet first(120, 90);
  ASSERT_TRUE(first.add({1, 10.25f, 5.5f, 60.75f, 40}, 3).ok());
  ASSERT_TRUE(first.add({2, 0, 0, 120, 90}, 3).ok());
  LabelSet second(64, 48);
  ASSERT_TRUE(second.add({0, 3, 4, 23, 14}, 3).ok());
  const std::vector<uint8_t> first_png = png(120, 90);
  const std::vector<uint8_t> second_png = png(64, 48);
  const std::vector<LabelledPhoto> photos = {{"first.png", &first, &first_png},
                                             {"second.png", &second, &second_png}};

  Result<std::vector<eval::ExportFile>> files = export_labels(photos, kClasses, GetParam());
  ASSERT_TRUE(files.ok()) << files.message();
  sightline::testing::TempFolder folder;
  const std::string out = folder.str() + "/export";
  ASSERT_TRUE(eval::write_export_folder(out, *files, false).ok());

  eval::ValidationReport report;
  const std::string path = GetParam() == eval::LabelFormat::kCoco ? out + "/annotations.json" : out;
  Result<eval::Dataset> read = eval::load_dataset(path, eval::DatasetOptions{}, report);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(report.error_count(), 0);
  ASSERT_EQ(read->images.size(), 2u);
  ASSERT_EQ(read->annotations.size(), 3u);

  // Our writers keep 2 decimals (VOC) or 6 of the normalised coordinates (YOLO).
  const double tolerance = 0.006;
  for (const eval::GroundTruth& truth : read->annotations) {
    std::string photo;
    for (const eval::DatasetImage& image : read->images) {
      if (image.id == truth.image_id) photo = image.file_name;
    }
    const LabelSet& labels = photo == "first.png" ? first : second;
    bool matched = false;
    for (const LabelBox& box : labels.boxes()) {
      matched |= box.class_id == truth.category_id && std::abs(box.x1 - truth.x) < tolerance &&
                 std::abs(box.y1 - truth.y) < tolerance &&
                 std::abs(box.x2 - (truth.x + truth.width)) < tolerance &&
                 std::abs(box.y2 - (truth.y + truth.height)) < tolerance;
    }
    EXPECT_TRUE(matched) << photo << " category " << truth.category_id << " x " << truth.x;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, LabelExportAppRoundTrip,
                         ::testing::Values(eval::LabelFormat::kYolo, eval::LabelFormat::kCoco,
                                           eval::LabelFormat::kVoc),
                         [](const auto& info) {
                           return std::string(eval::label_format_name(info.param));
                         });

}  // namespace
}  // namespace sightline::app
