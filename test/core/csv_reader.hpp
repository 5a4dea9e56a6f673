// Test-only reader for the delimited sample data in data/ and the figures in test/reference/.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv.hpp"
#include "eigen.hpp"

namespace cseg::test {

// A delimited text file: its header fields and the fields of every non-empty row.
using CsvTable = testdata::Table;

// Reads a file with a header line, LF or CRLF line ends; throws if it cannot be opened.
inline CsvTable read_csv(const std::string& path, char delimiter) {
    return testdata::read_table_at(path, delimiter);
}

// The given columns as numbers, one matrix row per file row; rows with an empty field in
// any of those columns are left out.
inline RowMatrix numeric_columns(const CsvTable& table, const std::vector<size_t>& columns) {
    std::vector<const std::vector<std::string>*> kept;
    for (const auto& row : table.rows) {
        bool complete = true;
        for (size_t j : columns) complete = complete && j < row.size() && !row[j].empty();
        if (complete) kept.push_back(&row);
    }
    RowMatrix X(static_cast<Eigen::Index>(kept.size()), static_cast<Eigen::Index>(columns.size()));
    for (size_t i = 0; i < kept.size(); ++i) {
        for (size_t j = 0; j < columns.size(); ++j) {
            X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                std::stod((*kept[i])[columns[j]]);
        }
    }
    return X;
}

}  // namespace cseg::test
