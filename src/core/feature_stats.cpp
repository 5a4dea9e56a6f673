// Column statistics of training rows (see feature_stats.hpp).
#include "feature_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "row_order.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;

// The margin of OrderStatistics' brackets in sample positions: a quantile's position in a
// sample of s = 65,536 has a standard deviation of at most sqrt(s) / 2 = 128.
constexpr int64_t kBracketMargin = 512;

// Puts the order statistics at `ranks` (ascending, inside [lo, hi)) in place among v[lo, hi):
// afterwards v[r] is the r-th smallest there for each of them (nested std::nth_element).
void select_ranks(std::vector<double>& v, int64_t lo, int64_t hi, const int64_t* first,
                  const int64_t* last, const Interrupt& interrupt) {
    if (first == last || hi - lo < 2) return;
    interrupt.poll();
    const int64_t* mid = first + (last - first) / 2;
    std::nth_element(v.begin() + lo, v.begin() + *mid, v.begin() + hi);
    select_ranks(v, lo, *mid, first, mid, interrupt);
    select_ranks(v, *mid + 1, hi, mid + 1, last, interrupt);
}

}  // namespace

// Two passes over the row-major rows (raw pointers: the sums stay in registers), each sum in
// row order.
ColumnMoments column_moments(ConstRowMap X, const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    ColumnMoments m;
    m.n = n;
    m.mean.assign(size_t(d), 0.0);
    m.deviations.assign(size_t(d), 0.0);
    m.squares.assign(size_t(d), 0.0);
    const double* x = X.data();  // row-major, contiguous
    double* sum = m.mean.data();
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        for (int32_t j = 0; j < d; ++j) sum[j] += x[i * d + j];
    }
    for (double& v : m.mean) v /= static_cast<double>(n);
    const double* mu = m.mean.data();
    double* dev = m.deviations.data();
    double* sq = m.squares.data();
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        for (int32_t j = 0; j < d; ++j) {
            const double t = x[i * d + j] - mu[j];
            dev[j] += t;
            sq[j] += t * t;
        }
    }
    return m;
}

// The name a message uses for feature j: its name when known, else its 1-based number.
std::string feature_in_message(const std::vector<std::string>& names, int32_t j) {
    if (j >= 0 && size_t(j) < names.size()) return "feature \"" + names[size_t(j)] + "\"";
    return "feature " + std::to_string(j + 1);
}

// The population deviation sqrt(squares / n) of column_moments.
void column_mean_std(ConstRowMap X, std::vector<double>& mean, std::vector<double>& std_dev,
                     const Interrupt& interrupt, ColumnMoments* moments,
                     const std::vector<std::string>& names) {
    ColumnMoments m = column_moments(X, interrupt);
    const int32_t d = static_cast<int32_t>(X.cols());
    mean = m.mean;
    std_dev.assign(size_t(d), 0.0);
    for (int32_t j = 0; j < d; ++j) {
        double& s = std_dev[size_t(j)];
        s = std::sqrt(m.squares[size_t(j)] / static_cast<double>(m.n));
        if (!std::isfinite(s) || !std::isfinite(mean[size_t(j)]))
            throw Error(ErrorKind::DataException,
                        feature_in_message(names, j) +
                            " has values too large to summarise (its mean or standard "
                            "deviation overflows)");
    }
    if (moments != nullptr) *moments = std::move(m);
}

// Brackets from a stride sample, one pass into the brackets, the brackets sorted.
OrderStatistics::OrderStatistics(std::vector<double> values, std::vector<int64_t> ranks,
                                 bool sort_all, const Interrupt& interrupt)
    : values_(std::move(values)), n_(int64_t(values_.size())) {
    if (n_ < 1) throw Error(ErrorKind::Internal, "OrderStatistics needs values");
    const auto sort_whole = [&] {
        windows_.clear();
        interrupt.poll();
        sort_values(values_.data(), n_, interrupt);
        interrupt.poll();
    };
    if (sort_all || n_ <= kSortRows) {
        sort_whole();
        return;
    }
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    std::vector<double> sample(size_t{kSampleRows});
    for (int64_t i = 0; i < kSampleRows; ++i)
        sample[size_t(i)] = values_[size_t(i * n_ / kSampleRows)];
    sort_values(sample.data(), kSampleRows, interrupt);
    // One bracket per rank, overlapping ones merged (values, not positions, decide: ties).
    const double inf = std::numeric_limits<double>::infinity();
    for (const int64_t r : ranks) {
        if (r < 0 || r >= n_) throw Error(ErrorKind::Internal, "OrderStatistics: rank outside");
        const int64_t at = r * kSampleRows / n_;
        const int64_t lo = at - kBracketMargin, hi = at + 1 + kBracketMargin;
        const double a = lo < 0 ? -inf : sample[size_t(lo)];
        const double b = hi >= kSampleRows ? inf : sample[size_t(hi)];
        if (!windows_.empty() && windows_.back().hi >= a)
            windows_.back().hi = std::max(windows_.back().hi, b);
        else
            windows_.push_back(Window{a, b, 0, {}});
    }
    // The pass: each value into its bracket, or counted in the gap below the next one. The
    // bracket is found by counting the starts at or below x (branch-free; padded with +inf).
    const size_t w = windows_.size();
    std::vector<double> starts((w + 3) / 4 * 4, inf);
    for (size_t i = 0; i < w; ++i) starts[i] = windows_[i].lo;
    const size_t padded = starts.size();
    std::vector<int64_t> gap(w + 1, 0);
    for (int64_t i = 0; i < n_; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        const double x = values_[size_t(i)];
        size_t next = 0;
        for (size_t s = 0; s < padded; ++s) next += starts[s] <= x ? 1 : 0;
        if (next > 0 && x <= windows_[next - 1].hi)
            windows_[next - 1].values.push_back(x);
        else
            ++gap[next];
    }
    int64_t below = 0;
    for (size_t i = 0; i < w; ++i) {
        below += gap[i];
        windows_[i].below = below;
        below += int64_t(windows_[i].values.size());
    }
    // Every rank must have landed in its bracket (otherwise the sample misjudged: sort all);
    // then each bracket's ranks are selected in place.
    for (Window& v : windows_) {
        std::vector<int64_t> local;
        for (const int64_t r : ranks)
            if (r >= v.below && r < v.below + int64_t(v.values.size())) local.push_back(r - v.below);
        select_ranks(v.values, 0, int64_t(v.values.size()), local.data(),
                     local.data() + local.size(), interrupt);
    }
    for (const int64_t r : ranks) {
        const bool inside = std::any_of(windows_.begin(), windows_.end(), [r](const Window& v) {
            return r >= v.below && r < v.below + int64_t(v.values.size());
        });
        if (!inside) {
            sort_whole();
            return;
        }
    }
}

// The value at an asked-for rank.
double OrderStatistics::at(int64_t rank) const {
    if (sorted()) return values_.at(size_t(rank));
    for (const Window& v : windows_)
        if (rank >= v.below && rank < v.below + int64_t(v.values.size()))
            return v.values[size_t(rank - v.below)];
    throw Error(ErrorKind::Internal, "OrderStatistics::at: a rank that was not asked for");
}

// Inside a bracket from its sorted values; elsewhere by counting.
int64_t OrderStatistics::count_at_most(double c) const {
    if (sorted())
        return int64_t(std::upper_bound(values_.begin(), values_.end(), c) - values_.begin());
    for (const Window& v : windows_)
        if (c >= v.lo && c <= v.hi)
            return v.below +
                   std::count_if(v.values.begin(), v.values.end(), [c](double x) { return x <= c; });
    return std::count_if(values_.begin(), values_.end(), [c](double x) { return x <= c; });
}

// The one message of a scaled value out of range.
void throw_scaled_too_large(const std::string& subject) {
    throw Error(ErrorKind::DataException, subject + " is too large after scaling",
                "Scaled values must lie within +-1e100.",
                "Choose another \"scale\" method or rescale the data.");
}

// Scans for the first scaled value out of range.
void check_scaled_range(ConstRowMap X, int64_t first_row, const std::vector<std::string>& names) {
    for (int64_t i = 0; i < X.rows(); ++i) {
        for (int64_t j = 0; j < X.cols(); ++j) {
            if (!(std::fabs(X(i, j)) <= kMaxScaledValue))
                throw_scaled_too_large(feature_in_message(names, int32_t(j)) + " of row " +
                                       std::to_string(first_row + i + 1));
        }
    }
}

}  // namespace cseg
