// Test-only reader for the sample files in data/ (CSEG_DATA_DIR): delimited text with a header
// line, no quoting; numeric columns by name with an empty field read as NaN (a SQL NULL).
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "eigen.hpp"

namespace cseg::testdata {

// A delimited file: header fields and the fields of every non-empty line.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    // Index of the header field called name; throws if there is none.
    size_t column(const std::string& name) const {
        for (size_t j = 0; j < header.size(); ++j)
            if (header[j] == name) return j;
        throw std::runtime_error("no column \"" + name + "\"");
    }
};

// The fields of one line (a trailing CR dropped; an empty last field kept).
inline std::vector<std::string> split_fields(std::string line, char delimiter) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        const size_t end = line.find(delimiter, start);
        fields.push_back(line.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return fields;
}

// Reads the file at `path` (a header line, LF or CRLF line ends, empty lines skipped); throws
// if it cannot be opened.
inline Table read_table_at(const std::string& path, char delimiter) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    Table t;
    std::string line;
    if (std::getline(in, line)) t.header = split_fields(line, delimiter);
    while (std::getline(in, line)) {
        if (line.empty() || line == "\r") continue;
        t.rows.push_back(split_fields(line, delimiter));
    }
    return t;
}

// Reads data/<file> (under CSEG_DATA_DIR); throws if it cannot be opened.
inline Table read_table(const std::string& file, char delimiter) {
    return read_table_at(std::string(CSEG_DATA_DIR) + "/" + file, delimiter);
}

// The named columns as an n x d matrix in file order; an empty (or absent) field is NaN.
inline RowMatrix numeric_columns(const Table& t, const std::vector<std::string>& names) {
    RowMatrix X(static_cast<Eigen::Index>(t.rows.size()), static_cast<Eigen::Index>(names.size()));
    for (size_t j = 0; j < names.size(); ++j) {
        const size_t col = t.column(names[j]);
        for (size_t i = 0; i < t.rows.size(); ++i) {
            const std::vector<std::string>& row = t.rows[i];
            X(Eigen::Index(i), Eigen::Index(j)) = col < row.size() && !row[col].empty()
                                                      ? std::stod(row[col])
                                                      : std::numeric_limits<double>::quiet_NaN();
        }
    }
    return X;
}

// The sample data sets the k-means tests and benchmarks use, in original units.
inline RowMatrix mall_customers() {
    return numeric_columns(read_table("Mall_Customers.csv", ','),
                           {"Age", "Annual Income (k$)", "Spending Score (1-100)"});
}
// Wholesale customers: columns 3..8 (the six spending categories).
inline RowMatrix wholesale_customers() {
    return numeric_columns(
        read_table("wholesale_customers.csv", ';'),
        {"Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"});
}
// Marketing campaign: the 16 numeric columns; Income is empty (NaN) in 24 rows.
inline RowMatrix marketing_campaign() {
    return numeric_columns(read_table("marketing_campaign.csv", '\t'),
                           {"Year_Birth", "Income", "Kidhome", "Teenhome", "Recency", "MntWines",
                            "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
                            "MntGoldProds", "NumDealsPurchases", "NumWebPurchases",
                            "NumCatalogPurchases", "NumStorePurchases", "NumWebVisitsMonth"});
}

// X without the rows that hold a NaN, order kept.
inline RowMatrix complete_rows(const RowMatrix& X) {
    std::vector<Eigen::Index> keep;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
        if (X.row(i).allFinite()) keep.push_back(i);
    RowMatrix Y(static_cast<Eigen::Index>(keep.size()), X.cols());
    for (size_t i = 0; i < keep.size(); ++i) Y.row(Eigen::Index(i)) = X.row(keep[i]);
    return Y;
}

}  // namespace cseg::testdata
