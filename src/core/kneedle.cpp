// Kneedle, offline (see kneedle.hpp): Satopää et al. 2011, as kneed's KneeLocator.
#include "kneedle.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "errors.hpp"

namespace cseg {

namespace {

// Throws unless the inputs are ones Kneedle is defined for.
void check_knee_input(const double* x, const double* y, int64_t n, double sensitivity) {
    if (!std::isfinite(sensitivity) || sensitivity < 0.0)
        throw Error(ErrorKind::InvalidParameter,
                    "the knee sensitivity must be a finite number >= 0");
    for (int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
            throw Error(ErrorKind::InvalidParameter, "knee detection needs finite points");
        if (i > 0 && !(x[i] > x[i - 1]))
            throw Error(ErrorKind::InvalidParameter,
                        "knee detection needs strictly increasing x values");
    }
}

// v mapped linearly onto [0, 1].
std::vector<double> normalized(const double* v, int64_t n, double lo, double hi) {
    std::vector<double> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out[size_t(i)] = (v[i] - lo) / (hi - lo);
    return out;
}

}  // namespace

// Normalise, transform to a concave increasing curve, walk the difference curve.
int64_t find_knee(const double* x, const double* y, int64_t n, KneeCurve curve,
                  KneeDirection direction, double sensitivity) {
    check_knee_input(x, y, n, sensitivity);
    if (n < 3) return -1;
    const auto [ylo, yhi] = std::minmax_element(y, y + n);
    if (*ylo == *yhi) return -1;
    const std::vector<double> xn = normalized(x, n, x[0], x[n - 1]);
    std::vector<double> yn = normalized(y, n, *ylo, *yhi);
    const bool convex = curve == KneeCurve::Convex;
    const bool decreasing = direction == KneeDirection::Decreasing;
    // kneed's transform_y: the max of the normalised y is exactly 1.
    if (convex)
        for (double& v : yn) v = 1.0 - v;
    if (convex != decreasing) std::reverse(yn.begin(), yn.end());

    std::vector<double> diff(static_cast<size_t>(n));
    for (size_t i = 0; i < diff.size(); ++i) diff[i] = yn[i] - xn[i];
    // scipy's argrelextrema(..., order=1, mode="clip"): an end compares with itself.
    auto is_extremum = [&](int64_t i, bool maximum) {
        const double v = diff[size_t(i)];
        const double left = diff[size_t(std::max<int64_t>(i - 1, 0))];
        const double right = diff[size_t(std::min<int64_t>(i + 1, n - 1))];
        return maximum ? v >= left && v >= right : v <= left && v <= right;
    };
    double mean_step = 0.0;
    for (int64_t i = 1; i < n; ++i) mean_step += xn[size_t(i)] - xn[size_t(i - 1)];
    mean_step = std::abs(mean_step / static_cast<double>(n - 1));

    int64_t first_max = -1;
    for (int64_t i = 0; i < n && first_max < 0; ++i)
        if (is_extremum(i, true)) first_max = i;
    if (first_max < 0) return -1;
    double threshold = 0.0;
    int64_t threshold_index = first_max;
    for (int64_t i = first_max; i < n - 1; ++i) {
        if (is_extremum(i, true)) {
            threshold = diff[size_t(i)] - sensitivity * mean_step;
            threshold_index = i;
        }
        if (is_extremum(i, false)) threshold = 0.0;
        if (diff[size_t(i + 1)] < threshold)
            return convex == decreasing ? threshold_index : n - 1 - threshold_index;
    }
    return -1;
}

}  // namespace cseg
