// Segment profiles: each cluster's centroid in original units, its z-score against all
// customers (the model's training mean and population standard deviation) and a word for it,
// plus a one-line description per cluster for dashboards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.hpp"

namespace cseg {

// The word for a z-score.
enum class Level : uint8_t { VeryLow = 0, Low = 1, Average = 2, High = 3, VeryHigh = 4 };

// "very low", "low", "average", "high", "very high".
const char* level_name(Level level);

// z <= -1: very low; -1 < z <= -0.5: low; -0.5 < z < 0.5: average; 0.5 <= z < 1: high;
// z >= 1: very high (half a standard deviation from the mean is where a segment starts to
// differ, one standard deviation where it differs strongly).
Level level_of(double z);

// The name of feature j (0-based): the model's feature name, or "feature_<j+1>" without one.
std::string feature_label(const Model& m, int32_t j);

// Centroid c in original units: unscaled, then mapped back through the inverse of each
// feature's transform (so a log1p feature shows expm1 of the mean log, a geometric-style
// mean, not the arithmetic mean of the original values). Clipping is not inverted.
void centroid_in_original_units(const Model& m, int32_t c, double* out);

// One cluster x feature cell of a profile.
struct ProfileCell {
    int32_t cluster = 0;
    int32_t feature = 0;  // 0-based
    double value = 0.0;   // the centroid's coordinate in original units
    double zscore = 0.0;  // (value - feature mean) / feature std; 0 for a constant feature
    Level level = Level::Average;
};

// Every cell, cluster by cluster, features in model order. A feature is constant (z-score 0)
// when its variance is within rounding of zero, by scikit-learn's test for constant features
// (StandardScaler: var <= n eps var + (n mean eps)^2 over the n training rows).
std::vector<ProfileCell> profile_cells(const Model& m);

// One cluster's summary line.
struct ClusterSummary {
    int32_t cluster = 0;
    int64_t size = 0;    // training rows
    double share = 0.0;  // size / training rows (0 when the model has no rows)
    std::string description;
};

// Per cluster: size, share and "name: level, ..." over every feature, the most distinctive
// first (|z| descending, ties in feature order), e.g. "income: very high, score: low, age:
// average".
std::vector<ClusterSummary> describe_clusters(const Model& m);

}  // namespace cseg
