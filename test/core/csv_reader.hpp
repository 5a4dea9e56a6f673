// Test-only reader for the delimited sample data in data/ and the figures in test/reference/.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "eigen.hpp"

namespace cseg::test {

// A delimited text file: its header fields and the fields of every non-empty row.
struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

// Splits one line on the delimiter; no quoting (the sample files use none). Drops a CR.
inline std::vector<std::string> split_csv_line(std::string line, char delimiter) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, delimiter)) fields.push_back(field);
    if (!line.empty() && line.back() == delimiter) fields.emplace_back();
    return fields;
}

// Reads a file with a header line, LF or CRLF line ends; throws if it cannot be opened.
inline CsvTable read_csv(const std::string& path, char delimiter) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    CsvTable table;
    std::string line;
    if (std::getline(in, line)) table.header = split_csv_line(line, delimiter);
    while (std::getline(in, line)) {
        if (line.empty() || line == "\r") continue;
        table.rows.push_back(split_csv_line(line, delimiter));
    }
    return table;
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
