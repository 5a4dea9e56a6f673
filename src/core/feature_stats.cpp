// Column statistics of training rows (see feature_stats.hpp).
#include "feature_stats.hpp"

#include <cmath>
#include <string>

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;

}  // namespace

// Two passes: the means, then the mean squared deviation from them.
void column_mean_std(ConstRowMap X, std::vector<double>& mean, std::vector<double>& std_dev,
                     const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    mean.assign(size_t(d), 0.0);
    std_dev.assign(size_t(d), 0.0);
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        for (int32_t j = 0; j < d; ++j) mean[size_t(j)] += X(i, j);
    }
    for (double& v : mean) v /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        for (int32_t j = 0; j < d; ++j) {
            const double t = X(i, j) - mean[size_t(j)];
            std_dev[size_t(j)] += t * t;
        }
    }
    for (int32_t j = 0; j < d; ++j) {
        double& s = std_dev[size_t(j)];
        s = std::sqrt(s / static_cast<double>(n));
        if (!std::isfinite(s) || !std::isfinite(mean[size_t(j)]))
            throw Error(ErrorKind::DataException,
                        "feature " + std::to_string(j + 1) +
                            " has values too large to summarise (its mean or standard "
                            "deviation overflows)");
    }
}

// Scans for the first scaled value out of range.
void check_scaled_range(ConstRowMap X, int64_t first_row) {
    for (int64_t i = 0; i < X.rows(); ++i) {
        for (int64_t j = 0; j < X.cols(); ++j) {
            if (!(std::fabs(X(i, j)) <= kMaxScaledValue))
                throw Error(ErrorKind::DataException,
                            "feature " + std::to_string(j + 1) + " of row " +
                                std::to_string(first_row + i + 1) + " is too large after scaling",
                            "Scaled values must lie within +-1e100.",
                            "Choose another \"scale\" method or rescale the data.");
        }
    }
}

}  // namespace cseg
