// Segment profiles (see profile.hpp).
#include "profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cseg {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// scikit-learn's _is_constant_feature: a variance within rounding of zero over n rows.
bool is_constant(double mean, double std_dev, int64_t n) {
    const double nd = static_cast<double>(n);
    const double var = std_dev * std_dev;
    return var <= nd * kEps * var + std::pow(nd * mean * kEps, 2);
}

}  // namespace

// The five words, by level.
const char* level_name(Level level) {
    switch (level) {
        case Level::VeryLow:
            return "very low";
        case Level::Low:
            return "low";
        case Level::Average:
            return "average";
        case Level::High:
            return "high";
        case Level::VeryHigh:
            return "very high";
    }
    return "average";
}

// Thresholds at -1, -0.5, 0.5 and 1 standard deviations.
Level level_of(double z) {
    if (z <= -1.0) return Level::VeryLow;
    if (z <= -0.5) return Level::Low;
    if (z < 0.5) return Level::Average;
    if (z < 1.0) return Level::High;
    return Level::VeryHigh;
}

// The stored name, else a numbered one.
std::string feature_label(const Model& m, int32_t j) {
    if (m.feature_names.size() == static_cast<size_t>(m.dims)) return m.feature_names[size_t(j)];
    return "feature_" + std::to_string(j + 1);
}

// Unscaled, then through the inverse transform (clipping is not undone: a mean of clipped
// values lies inside the clip bounds already).
void centroid_in_original_units(const Model& m, int32_t c, double* out) {
    m.scaler.inverse(m.centroid(c), out);
    if (!m.pipeline.transform.empty())
        inverse_transform_row(reinterpret_cast<const uint8_t*>(m.pipeline.transform.data()),
                              m.pipeline.lambdas.data(), out, m.dims);
}

// Centroids back to original units, then z-scores and words.
std::vector<ProfileCell> profile_cells(const Model& m) {
    std::vector<ProfileCell> cells;
    cells.reserve(static_cast<size_t>(m.k) * static_cast<size_t>(m.dims));
    std::vector<double> value(static_cast<size_t>(m.dims));
    for (int32_t c = 0; c < m.k; ++c) {
        centroid_in_original_units(m, c, value.data());
        for (int32_t j = 0; j < m.dims; ++j) {
            const double mean = m.feature_mean[size_t(j)], sd = m.feature_std[size_t(j)];
            ProfileCell cell;
            cell.cluster = c;
            cell.feature = j;
            cell.value = value[size_t(j)];
            cell.zscore = is_constant(mean, sd, m.n_rows) ? 0.0 : (cell.value - mean) / sd;
            cell.level = level_of(cell.zscore);
            cells.push_back(cell);
        }
    }
    return cells;
}

// Sizes and shares from the model, words from profile_cells ordered by |z|.
std::vector<ClusterSummary> describe_clusters(const Model& m) {
    const std::vector<ProfileCell> cells = profile_cells(m);
    std::vector<ClusterSummary> out(static_cast<size_t>(m.k));
    std::vector<int32_t> order(static_cast<size_t>(m.dims));
    for (int32_t c = 0; c < m.k; ++c) {
        ClusterSummary& s = out[size_t(c)];
        s.cluster = c;
        s.size = m.sizes[size_t(c)];
        s.share = m.n_rows > 0 ? static_cast<double>(s.size) / static_cast<double>(m.n_rows) : 0.0;
        const ProfileCell* row = cells.data() + size_t(c) * size_t(m.dims);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
            return std::abs(row[a].zscore) > std::abs(row[b].zscore);
        });
        for (int32_t j : order) {
            if (!s.description.empty()) s.description += ", ";
            s.description += feature_label(m, j) + ": " + level_name(row[j].level);
        }
    }
    return out;
}

}  // namespace cseg
