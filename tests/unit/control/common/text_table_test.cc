#include "control/common/text_table.h"

#include <gtest/gtest.h>

namespace sbc::control {
namespace {

TEST(TextTableTest, AlignsColumnsToTheWidestCellWithoutTrailingBlanks) {
  TextTable table({{"Name"}, {"Packets", TextTable::Align::kRight}, {"Note"}});
  table.addRow({"access0", "5", "up"});
  table.addRow({"c", "123456789", ""});
  EXPECT_EQ(table.render(),
            "Name       Packets  Note\n"
            "access0          5  up\n"
            "c        123456789\n");
}

TEST(TextTableTest, PadsMissingCellsAndPrintsHeaderAlone) {
  TextTable empty({{"A"}, {"B"}});
  EXPECT_EQ(empty.render(), "A  B\n");
  TextTable shortRow({{"A"}, {"B", TextTable::Align::kRight}});
  shortRow.addRow({"xyz"});
  EXPECT_EQ(shortRow.render(),
            "A    B\n"
            "xyz\n");
}

}  // namespace
}  // namespace sbc::control
