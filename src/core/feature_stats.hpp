// Per-feature column statistics of training rows: the feature_mean / feature_std a model
// keeps (taken by the feature pipeline, feature_pipeline.cpp) and the range check on scaled
// values. Shared by the fit pipelines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"

namespace cseg {

// Largest magnitude allowed in scaled space: squared distances summed over many rows and
// features must stay far from overflow.
constexpr double kMaxScaledValue = 1e100;

// Per-feature sums of X (all finite) in row order, two passes: the means, then the sums of
// the deviations from them and of their squares. What the profile statistics and the standard
// scaler (scaler.cpp) are computed from, so a fit whose scaler sees the profile's rows reads
// them once.
struct ColumnMoments {
    int64_t n = 0;
    std::vector<double> mean, deviations, squares;
};
ColumnMoments column_moments(ConstRowMap X, const Interrupt& interrupt);

// The name a message uses for feature j (0-based): "\"income\"" or "feature 3".
std::string feature_in_message(const std::vector<std::string>& names, int32_t j);

// Per-feature mean and population standard deviation of X (all finite), from column_moments
// (when `moments` is not NULL it receives them). Throws Error(DataException) naming the
// feature (by `names` when given) when either overflows.
void column_mean_std(ConstRowMap X, std::vector<double>& mean, std::vector<double>& std_dev,
                     const Interrupt& interrupt, ColumnMoments* moments = nullptr,
                     const std::vector<std::string>& names = {});

// Chosen order statistics of one column's values without sorting them all: a sorted sample
// brackets each asked-for rank, one pass keeps the values inside the brackets (Floyd &
// Rivest's idea), and the ranks are selected among those. Exact: a bracket the sample misjudged falls back
// to sorting every value. Columns of up to kSortRows values are sorted whole (sort_values,
// a radix sort with n doubles of scratch).
class OrderStatistics {
public:
    static constexpr int64_t kSortRows = int64_t{1} << 18;
    // The sample that places the brackets.
    static constexpr int64_t kSampleRows = 65536;

    // `values`: finite numbers in any order (at least one); `ranks`: the order statistics
    // at() will be asked for (0-based, any order); `sort_all`: sort every value anyway.
    OrderStatistics(std::vector<double> values, std::vector<int64_t> ranks, bool sort_all,
                    const Interrupt& interrupt);
    // How many values.
    int64_t size() const { return n_; }
    // The rank-th smallest value; rank must be one of the asked-for ranks (any, when sorted).
    double at(int64_t rank) const;
    // How many values are <= c.
    int64_t count_at_most(double c) const;
    // All values ascending; only when sorted() (sort_all, a small column or the fallback).
    bool sorted() const { return windows_.empty(); }
    const std::vector<double>& sorted_values() const { return values_; }

private:
    // A bracket: the values in [lo, hi] (its asked-for ranks selected in place) and how many
    // values lie below lo.
    struct Window {
        double lo, hi;
        int64_t below;
        std::vector<double> values;
    };
    std::vector<double> values_;  // ascending when sorted()
    std::vector<Window> windows_;
    int64_t n_;
};

// Throws the error of a scaled value beyond kMaxScaledValue: "<subject> is too large after
// scaling" (subject e.g. `feature "x" of row 3`), with its detail and hint.
[[noreturn]] void throw_scaled_too_large(const std::string& subject);

// Throws Error(DataException) naming the first element of X (scaled) beyond kMaxScaledValue;
// X's first row is row first_row of the data (rows are numbered from 1 in the message); the
// feature by its name in `names` when given (feature_in_message).
void check_scaled_range(ConstRowMap X, int64_t first_row = 0,
                        const std::vector<std::string>& names = {});

}  // namespace cseg
