// Feature scalers with scikit-learn's definitions (StandardScaler, MinMaxScaler, RobustScaler).
#include "scaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "feature_stats.hpp"

namespace cseg {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// scikit-learn's _handle_zeros_in_scale: a scale below 10 eps becomes 1. A non-finite or
// negative (overflowed) scale is kept, so fit_scaler rejects it instead of hiding it.
double handle_zero_scale(double scale) {
    return scale >= 0.0 && scale < 10.0 * kEps ? 1.0 : scale;
}

// numpy's linear-interpolation percentile of a sorted column (method "linear").
double sorted_percentile(const std::vector<double>& sorted, double pct) {
    const double index = pct / 100.0 * static_cast<double>(sorted.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(index));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double t = index - static_cast<double>(lo);
    const double a = sorted[lo], b = sorted[hi];
    const double diff = b - a;
    // A gap beyond the double range (e.g. -1e308 to 1e308): the weighted sum cannot overflow.
    if (!std::isfinite(diff)) return a * (1.0 - t) + b * t;
    // numpy's _lerp: symmetric form for accuracy near t = 1.
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// numpy's median of a sorted column: middle value or the mean of the two middle values.
double sorted_median(const std::vector<double>& sorted) {
    const size_t n = sorted.size();
    if (n % 2 == 1) return sorted[n / 2];
    const double a = sorted[n / 2 - 1], b = sorted[n / 2];
    const double mid = (a + b) / 2.0;
    return std::isfinite(mid) ? mid : a / 2.0 + b / 2.0;  // the sum overflowed
}

// StandardScaler: mean and population std via the corrected two-pass algorithm
// (Chan, Golub & LeVeque 1983) from the column moments, constant features detected as
// scikit-learn does.
void standard_from_moments(const ColumnMoments& m, Scaler& s) {
    const double nd = static_cast<double>(m.n);
    for (size_t j = 0; j < m.mean.size(); ++j) {
        const double mean = m.mean[j], corr = m.deviations[j];
        const double var = (m.squares[j] - corr * corr / nd) / nd;
        const double bound = nd * kEps * var + std::pow(nd * mean * kEps, 2);
        s.center[j] = mean;
        // An overflowing variance stays infinite (fit_scaler rejects it), never "constant".
        s.scale[j] = !std::isfinite(var) ? var
                     : var <= bound     ? 1.0
                                        : handle_zero_scale(std::sqrt(var));
    }
}

// MinMaxScaler to [0, 1]: center = min, scale = max - min.
void fit_minmax(ConstRowMap X, Scaler& s) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        const double lo = X.col(j).minCoeff(), hi = X.col(j).maxCoeff();
        s.center[j] = lo;
        s.scale[j] = handle_zero_scale(hi - lo);
    }
}

// RobustScaler: center = median, scale = interquartile range (25th to 75th percentile).
void fit_robust(ConstRowMap X, Scaler& s, const Interrupt& interrupt) {
    std::vector<double> column(static_cast<size_t>(X.rows()));
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        interrupt.poll();
        for (Eigen::Index i = 0; i < X.rows(); ++i) column[size_t(i)] = X(i, j);
        std::sort(column.begin(), column.end());
        s.center[j] = sorted_median(column);
        s.scale[j] = handle_zero_scale(sorted_percentile(column, 75.0) -
                                       sorted_percentile(column, 25.0));
    }
}

}  // namespace

// Canonical lower-case name of a scaling method.
const char* scale_method_name(ScaleMethod m) {
    switch (m) {
        case ScaleMethod::Standard: return "standard";
        case ScaleMethod::MinMax: return "minmax";
        case ScaleMethod::Robust: return "robust";
        case ScaleMethod::None: return "none";
    }
    return "unknown";
}

// Parses a scaling method name, listing the valid ones on error.
ScaleMethod parse_scale_method(std::string_view name) {
    for (ScaleMethod m : {ScaleMethod::Standard, ScaleMethod::MinMax, ScaleMethod::Robust,
                          ScaleMethod::None}) {
        if (name == scale_method_name(m)) return m;
    }
    throw Error(ErrorKind::InvalidParameter,
                "unknown scaling method \"" + std::string(name) + "\"",
                "Valid methods are \"standard\", \"minmax\", \"robust\" and \"none\".");
}

// Maps one row from original units to scaled space.
void Scaler::transform(const double* in, double* out) const {
    for (size_t j = 0; j < center.size(); ++j) out[j] = (in[j] - center[j]) / scale[j];
}

// Maps one row from scaled space back to original units.
void Scaler::inverse(const double* in, double* out) const {
    for (size_t j = 0; j < center.size(); ++j) out[j] = in[j] * scale[j] + center[j];
}

// Scales every row of X in place.
void Scaler::transform_rows(RowMap X) const {
    const Eigen::Map<const Eigen::RowVectorXd> c(center.data(), dims());
    const Eigen::Map<const Eigen::RowVectorXd> sc(scale.data(), dims());
    for (Eigen::Index i = 0; i < X.rows(); ++i) X.row(i) = (X.row(i) - c).cwiseQuotient(sc);
}

// Fits a scaler of the given method on finite rows.
Scaler fit_scaler(ConstRowMap X, ScaleMethod method, const Interrupt& interrupt,
                  const ColumnMoments* moments) {
    if (X.rows() < 1 || X.cols() < 1)
        throw Error(ErrorKind::DataException, "cannot fit a scaler on no rows or no features");
    Scaler s;
    s.method = method;
    s.center.assign(static_cast<size_t>(X.cols()), 0.0);
    s.scale.assign(static_cast<size_t>(X.cols()), 1.0);
    switch (method) {
        case ScaleMethod::Standard:
            standard_from_moments(moments != nullptr ? *moments : column_moments(X, interrupt), s);
            break;
        case ScaleMethod::MinMax: fit_minmax(X, s); break;
        case ScaleMethod::Robust: fit_robust(X, s, interrupt); break;
        case ScaleMethod::None: break;
    }
    for (size_t j = 0; j < s.center.size(); ++j) {
        if (!std::isfinite(s.center[j]) || !std::isfinite(s.scale[j]))
            throw Error(ErrorKind::DataException,
                        "feature " + std::to_string(j + 1) +
                            " has values too large to scale (its center or scale overflows)",
                        {}, "Rescale the data, e.g. divide it by a power of ten.");
    }
    return s;
}

// Rejects a scaler that cannot be applied safely.
void validate_scaler(const Scaler& s, ErrorKind kind) {
    if (s.center.empty()) throw Error(kind, "scaler has no features");
    if (s.center.size() != s.scale.size())
        throw Error(kind, "scaler center has " + std::to_string(s.center.size()) +
                              " entries but scale has " + std::to_string(s.scale.size()));
    for (size_t j = 0; j < s.center.size(); ++j) {
        if (!std::isfinite(s.center[j]))
            throw Error(kind, "scaler center[" + std::to_string(j) + "] is not finite");
        if (!std::isfinite(s.scale[j]) || !(s.scale[j] > 0.0))
            throw Error(kind, "scaler scale[" + std::to_string(j) +
                                  "] must be a finite number greater than zero");
    }
    if (s.method == ScaleMethod::None) {
        for (size_t j = 0; j < s.center.size(); ++j)
            if (s.center[j] != 0.0 || s.scale[j] != 1.0)
                throw Error(kind, "scaler of method \"none\" must have center 0 and scale 1");
    }
}

}  // namespace cseg
