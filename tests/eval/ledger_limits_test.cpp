// Ledger input bounds: counts that cannot be an int are a corrupt line (converting them was
// undefined behaviour, found with a fuzz seed), and a ledger file over the size limit is refused
// whole, left as it is, for reading and for appending.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "eval/ledger.h"
#include "eval/temp_folder.h"

namespace sightline::eval {
namespace {

std::string record_line_with_max_det(const std::string& max_det) {
  RunRecord record;
  record.id = "abc";
  std::string line = record_to_json_line(record);
  const std::string field = "\"max_det\":0";
  line.replace(line.find(field), field.size(), "\"max_det\":" + max_det);
  return line;
}

TEST(LedgerLimits, CountOutsideIntRangeIsACorruptLineNamingTheField) {
  const Result<RunRecord> record = record_from_json(record_line_with_max_det("1e300"));
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.message().find("\"max_det\" 1e+300 is not a whole number"), std::string::npos)
      << record.message();

  const Ledger ledger =
      parse_ledger(record_line_with_max_det("-1") + "\n" + record_line_with_max_det("2.5") + "\n" +
                   record_line_with_max_det("300") + "\n");
  ASSERT_EQ(ledger.runs.size(), 1u);
  EXPECT_EQ(ledger.runs[0].max_detections, 300);
  ASSERT_EQ(ledger.corrupt.size(), 2u);
  EXPECT_EQ(ledger.corrupt[0].line_number, 1);
  EXPECT_EQ(ledger.corrupt[1].line_number, 2);
}

TEST(LedgerLimits, RefusesAFileOverTheSizeLimitAndLeavesItAsItIs) {
  testing::TempFolder folder;
  const std::filesystem::path path = folder.path() / "ledger.jsonl";
  folder.write("ledger.jsonl", "");
  // A sparse file: its size is over the limit without using the disk space.
  const uintmax_t size = (uintmax_t{256} << 20) + 1;
  std::filesystem::resize_file(path, size);

  const Result<Ledger> ledger = read_ledger(path.string());
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.message().find("over the limit of 268435456 bytes"), std::string::npos)
      << ledger.message();

  const Result<std::string> appended = append_run(path.string(), RunRecord{});
  ASSERT_FALSE(appended.ok());
  EXPECT_NE(appended.message().find("over the limit"), std::string::npos) << appended.message();
  EXPECT_EQ(std::filesystem::file_size(path), size);
}

}  // namespace
}  // namespace sightline::eval
