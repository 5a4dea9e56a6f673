// Shared by the fitting tests: views and scaled copies of row matrices, the sample data sets
// standard-scaled, generated groups of rows, and bit-for-bit comparison of k-means runs.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "csv.hpp"
#include "kmeans.hpp"
#include "rng.hpp"
#include "scaler.hpp"

namespace cseg::test {

// A read-only view of a whole matrix.
inline ConstRowMap view(const RowMatrix& X) {
    return ConstRowMap(X.data(), X.rows(), X.cols());
}

// Standard-scaled copy (the fit aggregates' default scaling).
inline RowMatrix standardised(const RowMatrix& X) {
    RowMatrix Y = X;
    fit_scaler(view(X), ScaleMethod::Standard).transform_rows(RowMap(Y.data(), Y.rows(), Y.cols()));
    return Y;
}

// The standard-scaled sample sets of data/, by name: "mall", "wholesale", else the complete
// rows of the marketing campaign.
inline RowMatrix data_set(const std::string& name) {
    if (name == "mall") return standardised(testdata::mall_customers());
    if (name == "wholesale") return standardised(testdata::wholesale_customers());
    return standardised(testdata::complete_rows(testdata::marketing_campaign()));
}

// n rows of d features around `count` centres drawn in [0, box)^d, uniform noise of width 3
// (deterministic for the seed).
inline RowMatrix uniform_groups(int64_t n, int32_t d, int32_t count, double box, uint64_t seed) {
    Rng rng(seed);
    RowMatrix C(count, d), X(n, d);
    for (int64_t i = 0; i < C.size(); ++i) C.data()[i] = box * rng.next_double();
    for (int64_t i = 0; i < n; ++i) {
        const int64_t g = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(count)));
        for (int32_t j = 0; j < d; ++j) X(i, j) = C(g, j) + 3.0 * (rng.next_double() - 0.5);
    }
    return X;
}

// Same labels, centres, inertia (bit for bit) and iterations.
inline void expect_identical(const KMeansRun& a, const KMeansRun& b) {
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.n_iter, b.n_iter);
    EXPECT_EQ(0, std::memcmp(&a.inertia, &b.inertia, sizeof(double)));
    ASSERT_EQ(a.centers.size(), b.centers.size());
    EXPECT_EQ(0, std::memcmp(a.centers.data(), b.centers.data(),
                             sizeof(double) * static_cast<size_t>(a.centers.size())));
}

}  // namespace cseg::test
