#pragma once
// Column-aligned text for the show commands: widths come from the widest cell, two spaces
// separate columns and no line ends in spaces, so tests can compare the output exactly.

#include <cstdint>
#include <string>
#include <vector>

namespace sbc::control {

class TextTable {
 public:
  enum class Align : uint8_t { kLeft, kRight };
  struct Column {
    std::string header;
    Align align = Align::kLeft;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // Missing cells print empty; extra cells are ignored.
  void addRow(std::vector<std::string> cells);
  size_t rowCount() const { return rows_.size(); }
  // The header line, then one line per row, each ending in '\n'.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sbc::control
