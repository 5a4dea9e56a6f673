// The feature pipeline: transforms, Yeo-Johnson fitting, imputation, clipping, deciles.
#include "feature_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "errors.hpp"
#include "feature_stats.hpp"
#include "json.hpp"
#include "row_order.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;
// The spacing of doubles at 1 (numpy's np.spacing(1.0)): scikit-learn's test for lambda = 0/2.
constexpr double kSpacingOne = std::numeric_limits<double>::epsilon();
// scipy.optimize.brent's defaults.
constexpr double kBrentTol = 1.48e-8;
constexpr double kBrentMinTol = 1.0e-11;
constexpr double kGoldenSection = 0.3819660;
constexpr int32_t kBrentMaxIter = 500;
// scipy.optimize.bracket's defaults.
constexpr double kGoldenRatio = 1.618034;
constexpr double kBracketTiny = 1e-21;
constexpr double kBracketGrowLimit = 110.0;
constexpr int32_t kBracketMaxIter = 1000;

// The negative profile log-likelihood of lambda for the finite values v (scikit-learn's
// _neg_log_likelihood); +infinity when the transformed values have no usable variance.
double yeo_johnson_nll(const std::vector<double>& v, double sign_log_sum, double lambda) {
    const size_t n = v.size();
    double mean = 0.0;
    for (double x : v) mean += yeo_johnson(x, lambda);
    mean /= double(n);
    double ss = 0.0;
    for (double x : v) {
        const double t = yeo_johnson(x, lambda) - mean;
        ss += t * t;
    }
    const double var = ss / double(n);
    if (!(var >= std::numeric_limits<double>::min()) || !std::isfinite(var))
        return std::numeric_limits<double>::infinity();
    return double(n) / 2.0 * std::log(var) - (lambda - 1.0) * sign_log_sum;
}

// A bracket (a, b, c) with f(b) below f(a) and f(c), searched downhill from (xa, xb) with
// golden-section steps and parabolic extrapolation (Press et al., Numerical Recipes, mnbrak;
// scipy.optimize.bracket). f values are returned in fa, fb, fc.
template <class F>
void bracket_minimum(F&& f, double& xa, double& xb, double& xc, double& fa, double& fb,
                     double& fc) {
    fa = f(xa);
    fb = f(xb);
    if (fa < fb) {
        std::swap(xa, xb);
        std::swap(fa, fb);
    }
    xc = xb + kGoldenRatio * (xb - xa);
    fc = f(xc);
    for (int32_t iter = 0; fc < fb && iter < kBracketMaxIter; ++iter) {
        const double tmp1 = (xb - xa) * (fb - fc);
        const double tmp2 = (xb - xc) * (fb - fa);
        const double val = tmp2 - tmp1;
        const double denom = std::fabs(val) < kBracketTiny ? 2.0 * kBracketTiny : 2.0 * val;
        double w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denom;
        const double wlim = xb + kBracketGrowLimit * (xc - xb);
        double fw;
        if ((w - xc) * (xb - w) > 0.0) {
            fw = f(w);
            if (fw < fc) {
                xa = xb;
                xb = w;
                fa = fb;
                fb = fw;
                return;
            }
            if (fw > fb) {
                xc = w;
                fc = fw;
                return;
            }
            w = xc + kGoldenRatio * (xc - xb);
            fw = f(w);
        } else if ((w - wlim) * (wlim - xc) >= 0.0) {
            w = wlim;
            fw = f(w);
        } else if ((w - wlim) * (xc - w) > 0.0) {
            fw = f(w);
            if (fw < fc) {
                xb = xc;
                xc = w;
                w = xc + kGoldenRatio * (xc - xb);
                fb = fc;
                fc = fw;
                fw = f(w);
            }
        } else {
            w = xc + kGoldenRatio * (xc - xb);
            fw = f(w);
        }
        xa = xb;
        xb = xc;
        xc = w;
        fa = fb;
        fb = fc;
        fc = fw;
    }
}

// Brent's minimisation (Brent 1973, "Algorithms for Minimization without Derivatives",
// ch. 5): golden-section steps with parabolic interpolation inside the bracket (xa, xb, xc).
template <class F>
double brent_minimum(F&& f, double xa, double xb, double xc, double fb) {
    double x = xb, w = xb, v = xb;
    double fx = fb, fw = fb, fv = fb;
    double a = std::min(xa, xc), b = std::max(xa, xc);
    double deltax = 0.0, rat = 0.0;
    for (int32_t iter = 0; iter < kBrentMaxIter; ++iter) {
        const double tol1 = kBrentTol * std::fabs(x) + kBrentMinTol;
        const double tol2 = 2.0 * tol1;
        const double xmid = 0.5 * (a + b);
        if (std::fabs(x - xmid) < tol2 - 0.5 * (b - a)) break;
        if (std::fabs(deltax) <= tol1) {
            deltax = x >= xmid ? a - x : b - x;
            rat = kGoldenSection * deltax;
        } else {
            const double t1 = (x - w) * (fx - fv);
            double t2 = (x - v) * (fx - fw);
            double p = (x - v) * t2 - (x - w) * t1;
            t2 = 2.0 * (t2 - t1);
            if (t2 > 0.0) p = -p;
            t2 = std::fabs(t2);
            const double previous = deltax;
            deltax = rat;
            if (p > t2 * (a - x) && p < t2 * (b - x) && std::fabs(p) < std::fabs(0.5 * t2 * previous)) {
                rat = p / t2;
                const double u = x + rat;
                if (u - a < tol2 || b - u < tol2) rat = xmid - x >= 0 ? tol1 : -tol1;
            } else {
                deltax = x >= xmid ? a - x : b - x;
                rat = kGoldenSection * deltax;
            }
        }
        const double u = std::fabs(rat) < tol1 ? (rat >= 0 ? x + tol1 : x - tol1) : x + rat;
        const double fu = f(u);
        if (fu > fx) {
            if (u < x)
                a = u;
            else
                b = u;
            if (fu <= fw || w == x) {
                v = w;
                w = u;
                fv = fw;
                fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u;
                fv = fu;
            }
        } else {
            if (u >= x)
                a = x;
            else
                b = x;
            v = w;
            w = x;
            x = u;
            fv = fw;
            fw = fx;
            fx = fu;
        }
    }
    return x;
}

// The finite values of column j of X, in row order.
std::vector<double> finite_column(ConstRowMap X, int32_t j, const Interrupt& interrupt) {
    std::vector<double> v;
    v.reserve(size_t(X.rows()));
    for (int64_t i = 0; i < X.rows(); ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        const double x = X(i, j);
        if (std::isfinite(x)) v.push_back(x);
    }
    return v;
}

// Where quantile q falls among n sorted values: the order statistics lo and hi and the
// fraction between them (numpy.quantile's "linear" method).
struct QuantilePosition {
    int64_t lo, hi;
    double frac;
};
QuantilePosition quantile_position(int64_t n, double q) {
    const double pos = q * double(n - 1);
    const int64_t lo = std::min<int64_t>(int64_t(std::floor(pos)), n - 1);
    return {lo, std::min<int64_t>(lo + 1, n - 1), pos - double(lo)};
}

// numpy's interpolation between a and b (from the nearer end, as numpy's _lerp).
double quantile_lerp(double a, double b, double frac) {
    return frac >= 0.5 ? b - (b - a) * (1.0 - frac) : a + (b - a) * frac;
}

// Adds the two order statistics quantile q reads to `ranks`.
void add_quantile_ranks(std::vector<int64_t>& ranks, int64_t n, double q) {
    const QuantilePosition p = quantile_position(n, q);
    ranks.push_back(p.lo);
    ranks.push_back(p.hi);
}

// Linear-interpolation quantile of the transformed values (the transform is increasing, so
// transformed order statistics are the transforms of the original ones); the two order
// statistics of q must be among those `values` was asked for.
double transformed_quantile(const OrderStatistics& values, FeatureTransform t, double lambda,
                            double q) {
    const QuantilePosition p = quantile_position(values.size(), q);
    return quantile_lerp(apply_transform(t, lambda, values.at(p.lo)),
                         apply_transform(t, lambda, values.at(p.hi)), p.frac);
}

}  // namespace

// Transform names.
const char* feature_transform_name(FeatureTransform t) {
    switch (t) {
        case FeatureTransform::None: return "none";
        case FeatureTransform::Log1p: return "log1p";
        case FeatureTransform::Sqrt: return "sqrt";
        case FeatureTransform::YeoJohnson: return "yeo-johnson";
    }
    return "?";
}

// Parses a transform name.
FeatureTransform parse_feature_transform(std::string_view name) {
    for (FeatureTransform t : {FeatureTransform::None, FeatureTransform::Log1p,
                               FeatureTransform::Sqrt, FeatureTransform::YeoJohnson})
        if (name == feature_transform_name(t)) return t;
    throw Error(ErrorKind::InvalidParameter,
                "unknown transform \"" + std::string(name) + "\"",
                "Valid transforms: \"none\", \"log1p\", \"sqrt\", \"yeo-johnson\".");
}

// Impute method names.
const char* impute_method_name(ImputeMethod m) {
    switch (m) {
        case ImputeMethod::Mean: return "mean";
        case ImputeMethod::Median: return "median";
        case ImputeMethod::Zero: return "zero";
    }
    return "?";
}

// Parses an impute method.
ImputeMethod parse_impute_method(std::string_view name) {
    for (ImputeMethod m : {ImputeMethod::Mean, ImputeMethod::Median, ImputeMethod::Zero})
        if (name == impute_method_name(m)) return m;
    throw Error(ErrorKind::InvalidParameter,
                "unknown impute method \"" + std::string(name) + "\"",
                "Valid impute methods: \"mean\", \"median\", \"zero\".");
}

// psi(x, lambda) of Yeo & Johnson (2000), with scikit-learn's tests for lambda = 0 and 2.
// ((1 + x)^lambda - 1) / lambda is computed as expm1(lambda * log1p(x)) / lambda: the pow form
// (scikit-learn's) rounds 1 + x, losing the digits of a small x, and cancels in the
// subtraction when lambda * log1p(x) is small, so on values near 1e-9 it maps distinct values
// to a few and its likelihood has spurious maxima.
double yeo_johnson(double x, double lambda) {
    if (x >= 0.0) {
        if (std::fabs(lambda) < kSpacingOne) return std::log1p(x);
        return std::expm1(lambda * std::log1p(x)) / lambda;
    }
    if (std::fabs(lambda - 2.0) > kSpacingOne)
        return -std::expm1((2.0 - lambda) * std::log1p(-x)) / (2.0 - lambda);
    return -std::log1p(-x);
}

// The inverse of psi(., lambda) (in the same expm1 / log1p form).
double yeo_johnson_inverse(double y, double lambda) {
    if (y >= 0.0) {
        if (std::fabs(lambda) < kSpacingOne) return std::expm1(y);
        return std::expm1(std::log1p(y * lambda) / lambda);
    }
    if (std::fabs(lambda - 2.0) > kSpacingOne)
        return -std::expm1(std::log1p(-(2.0 - lambda) * y) / (2.0 - lambda));
    return -std::expm1(-y);
}

// Maximum-likelihood lambda: bracket from (-2, 2), then Brent.
double yeo_johnson_lambda(const double* x, int64_t n, int64_t stride, const Interrupt& interrupt) {
    std::vector<double> v;
    v.reserve(size_t(n));
    double sign_log_sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        const double xi = x[i * stride];
        if (!std::isfinite(xi)) continue;
        v.push_back(xi);
        sign_log_sum += (xi > 0 ? 1.0 : (xi < 0 ? -1.0 : 0.0)) * std::log1p(std::fabs(xi));
    }
    if (v.size() < 2)
        throw Error(ErrorKind::DataException,
                    "a Yeo-Johnson transform needs at least 2 finite values to fit its lambda");
    // A constant column has the same (zero) spread under every lambda: no maximum, and the
    // rounding of its mean made some constants "fit" an arbitrary lambda and others (0) fail.
    // It gets lambda 1, the identity on x >= 0, and is scaled as any constant feature.
    if (std::all_of(v.begin(), v.end(), [&](double xi) { return xi == v.front(); })) return 1.0;
    auto f = [&](double lambda) {
        interrupt.poll();
        return yeo_johnson_nll(v, sign_log_sum, lambda);
    };
    double xa = -2.0, xb = 2.0, xc = 0.0, fa = 0.0, fb = 0.0, fc = 0.0;
    bracket_minimum(f, xa, xb, xc, fa, fb, fc);
    const double lambda = brent_minimum(f, xa, xb, xc, fb);
    if (!std::isfinite(lambda) || !std::isfinite(f(lambda)))
        throw Error(ErrorKind::DataException,
                    "the Yeo-Johnson lambda could not be fitted (the values are constant or "
                    "nearly so, or too large)");
    return lambda;
}

// t^-1(y).
double inverse_transform(FeatureTransform t, double lambda, double y) {
    switch (t) {
        case FeatureTransform::None: return y;
        case FeatureTransform::Log1p: return std::expm1(y);
        case FeatureTransform::Sqrt: return y > 0.0 ? y * y : 0.0;
        case FeatureTransform::YeoJohnson: return yeo_johnson_inverse(y, lambda);
    }
    return y;
}

// numpy.quantile(method="linear") of sorted values.
double sorted_quantile(const double* sorted, int64_t n, double q) {
    const QuantilePosition p = quantile_position(n, q);
    return quantile_lerp(sorted[p.lo], sorted[p.hi], p.frac);
}

// The domain error, naming the feature and the value.
void throw_domain_error(const std::string& fn, const std::vector<std::string>& names, int32_t j,
                        FeatureTransform t, double x) {
    throw Error(ErrorKind::DataException,
                (fn.empty() ? std::string() : fn + ": ") + feature_in_message(names, j) + " = " +
                    number_text(x) +
                    " is outside the domain of its transform " + feature_transform_name(t),
                t == FeatureTransform::Log1p ? "log1p takes values above -1."
                                             : "sqrt takes values of 0 and above.",
                "Choose another transform for this feature (\"yeo-johnson\" takes any value) "
                "or fix the value.");
}

namespace {

// A feature's finite values: how many, and the smallest.
struct FiniteSummary {
    int64_t count = 0;
    double min = std::numeric_limits<double>::infinity();
};

// Counts of one task's rows in sampled_deciles: per feature the finite values, their
// minimum, and how many lie above each cut.
struct DecileCounts {
    std::vector<FiniteSummary> summary;
    std::vector<int64_t> above;  // d x kDecileCuts
};

// Copies the column x[0], x[stride], ... (n values) into out with every NaN and infinity
// replaced by -DBL_MAX, and returns the finite values' count and minimum. Four rows at a time
// (GCC/Clang vector extensions), the rest one by one.
FiniteSummary summarise_column(const double* x, int64_t stride, int64_t n, double* out) {
    constexpr double largest = std::numeric_limits<double>::max();
    constexpr double inf = std::numeric_limits<double>::infinity();
    FiniteSummary s;
    int64_t r = 0;
#if defined(__GNUC__) || defined(__clang__)
    typedef double V4d __attribute__((vector_size(32)));
    typedef int64_t V4i __attribute__((vector_size(32)));
    const V4d big = {largest, largest, largest, largest};
    const V4d none = {inf, inf, inf, inf};
    const V4d below = -big;
    V4i count = {0, 0, 0, 0};
    V4d low = none;
    for (; r + 4 <= n; r += 4) {
        const V4d y = {x[r * stride], x[(r + 1) * stride], x[(r + 2) * stride],
                       x[(r + 3) * stride]};
        const V4i finite = (y <= big) & (y >= below);  // false for NaN and the infinities
        count -= finite;                                 // true is -1
        const V4d f = finite ? y : none;
        low = f < low ? f : low;
        const V4d kept = finite ? y : below;
        __builtin_memcpy(out + r, &kept, sizeof kept);
    }
    s.count = count[0] + count[1] + count[2] + count[3];
    s.min = std::min(std::min(low[0], low[1]), std::min(low[2], low[3]));
#endif
    for (; r < n; ++r) {
        const double y = x[r * stride];
        const bool finite = std::fabs(y) <= largest;
        s.count += finite;
        if (finite && y < s.min) s.min = y;
        out[r] = finite ? y : -largest;
    }
    return s;
}

// The training deciles of the features marked in `sampled`, for tables above
// kSampledDecileRows rows where no exact order statistic is asked for: the cuts are
// numpy's linear quantiles of the finite values of a stride sample of kSampleRows rows (the
// rows are in canonical order, so the sample is the same for every plan and thread count),
// and every bin's training share is counted over all rows, so seg_drift's PSI baseline is
// exact for the bins it uses. The sample is gathered eight columns at a time in one pass over
// its rows, and those columns are sorted on the runner's threads, one task each; the counting
// pass runs in blocks on the runner's threads (integer counts and a minimum: the same for
// every thread count). A feature whose sample holds no finite value is unmarked (the exact
// path takes it). Returns every feature's finite count and minimum.
std::vector<FiniteSummary> sampled_deciles(ConstRowMap X, std::vector<char>& sampled,
                                           FeaturePipeline& p, const Interrupt& interrupt,
                                           const TaskRunner& runner) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    const int64_t S = OrderStatistics::kSampleRows;
    // Per feature the cuts (a row of 16 doubles each).
    constexpr int32_t kPadded = 16;
    std::vector<double> cuts(static_cast<size_t>(d) * kPadded,
                             std::numeric_limits<double>::infinity());
    // The sample's columns [j0, j0 + kGatherCols), column-major, gathered row by row.
    constexpr int32_t kGatherCols = 8;
    std::vector<double> sample(size_t(S) * size_t(std::min(d, kGatherCols)));
    for (int32_t j0 = 0; j0 < d; j0 += kGatherCols) {
        const int32_t cols = std::min(kGatherCols, d - j0);
        interrupt.poll();
        for (int64_t s = 0; s < S; ++s) {
            const double* row = X.data() + (s * n / S) * d + j0;
            for (int32_t c = 0; c < cols; ++c) sample[size_t(c) * size_t(S) + size_t(s)] = row[c];
        }
        // Each column of the group sorted by its own task (its own slots only).
        runner(
            cols,
            [&](int32_t c, const Interrupt& task_interrupt) {
                const int32_t j = j0 + c;
                if (!sampled[size_t(j)]) return;
                double* col = sample.data() + size_t(c) * size_t(S);
                int64_t m = 0;  // the finite values, in sample order
                for (int64_t s = 0; s < S; ++s)
                    if (std::isfinite(col[s])) col[m++] = col[s];
                if (m == 0) {
                    sampled[size_t(j)] = 0;
                    return;
                }
                sort_values(col, m, task_interrupt);
                for (int32_t b = 0; b < kDecileCuts; ++b)
                    cuts[size_t(j) * kPadded + size_t(b)] =
                        sorted_quantile(col, m, double(b + 1) / kDecileBins);
            },
            interrupt);
    }
    // One pass over the rows in blocks (one task each): per block of kBlock rows and per
    // feature, the column copied out (summarise_column: the finite count and minimum), then
    // how many finite values lie above each cut (vector compares); bin b holds
    // cut[b-1] < x <= cut[b], so its count is the difference of two of those.
    constexpr int64_t kBlock = 256;
    const int32_t tasks = task_blocks(n);
    std::vector<DecileCounts> parts(static_cast<size_t>(tasks));
    runner(
        tasks,
        [&](int32_t t, const Interrupt& task_interrupt) {
            // Locals, not captures: the stores into v could alias anything a capture refers to.
            const int64_t dims = d;
            DecileCounts& out = parts[size_t(t)];
            out.summary.assign(size_t(dims), FiniteSummary());
            out.above.assign(size_t(dims) * kDecileCuts, 0);
            std::vector<double> column(static_cast<size_t>(kBlock));
            double* v = column.data();
            const int64_t end = task_block_end(t, n);
            for (int64_t i0 = task_block_begin(t); i0 < end; i0 += kBlock) {
                if ((i0 % kPollRows) == 0) task_interrupt.poll();
                const int64_t rows = std::min(kBlock, end - i0);
                const double* x = X.data() + i0 * dims;
                for (int64_t j = 0; j < dims; ++j) {
                    if (!sampled[size_t(j)]) continue;
                    // The column (strided loads from the block, which is in cache), a NaN or
                    // an infinity replaced by -DBL_MAX, which is above no cut.
                    const FiniteSummary cs = summarise_column(x + j, dims, rows, v);
                    out.summary[size_t(j)].count += cs.count;
                    out.summary[size_t(j)].min = std::min(out.summary[size_t(j)].min, cs.min);
                    // Above a cut (the cuts are finite values of the sample).
                    const double* c = cuts.data() + size_t(j) * kPadded;
                    for (int32_t b = 0; b < kDecileCuts; ++b) {
                        const double cut = c[b];
                        int64_t k = 0;
                        for (int64_t r = 0; r < rows; ++r) k += v[r] > cut;
                        out.above[size_t(j) * kDecileCuts + size_t(b)] += k;
                    }
                }
            }
        },
        interrupt);
    std::vector<FiniteSummary> summary(static_cast<size_t>(d));
    std::vector<int64_t> above(static_cast<size_t>(d) * kDecileCuts, 0);
    for (const DecileCounts& part : parts) {
        for (int32_t j = 0; j < d; ++j) {
            summary[size_t(j)].count += part.summary[size_t(j)].count;
            summary[size_t(j)].min = std::min(summary[size_t(j)].min, part.summary[size_t(j)].min);
        }
        for (size_t e = 0; e < above.size(); ++e) above[e] += part.above[e];
    }
    for (int32_t j = 0; j < d; ++j) {
        if (!sampled[size_t(j)]) continue;
        std::copy_n(cuts.data() + size_t(j) * kPadded, kDecileCuts,
                    p.deciles.data() + size_t(j) * kDecileCuts);
        const int64_t* a = above.data() + size_t(j) * kDecileCuts;
        const double m = double(summary[size_t(j)].count);
        double* share = p.decile_shares.data() + size_t(j) * kDecileBins;
        share[0] = double(summary[size_t(j)].count - a[0]) / m;
        for (int32_t b = 1; b < kDecileCuts; ++b) share[b] = double(a[b - 1] - a[b]) / m;
        share[kDecileCuts] = double(a[kDecileCuts - 1]) / m;
    }
    return summary;
}

}  // namespace

// One feature of fit_feature_pipeline: the domain check, and for a feature not `sampled` its
// order statistics (p's deciles and shares, lambda, clip bounds); returns its fill (0 without
// imputation). Writes only feature j's entries of p; reads only column j of X.
double fit_feature_column(ConstRowMap X, int32_t j, const PipelineSpec& spec, bool sampled,
                          const std::vector<FiniteSummary>& summary, FeaturePipeline& p,
                          const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const FeatureTransform t =
        p.transform.empty() ? FeatureTransform::None : p.transform[size_t(j)];
    std::vector<double> finite;
    if (!sampled) finite = finite_column(X, j, interrupt);
    const int64_t m = sampled ? summary[size_t(j)].count : int64_t(finite.size());
    if (m == 0) {
        if (spec.impute)
            throw Error(ErrorKind::DataException,
                        "cannot impute " + feature_in_message(spec.feature_names, j) +
                            ": it has no finite value in any row",
                        "Option \"missing\" = \"impute\" fills a missing element from the "
                        "feature's finite values.");
        throw Error(ErrorKind::Internal, "fit_feature_pipeline: a feature without values");
    }
    double lambda = 0.0, median = 0.0;
    if (sampled) {  // the deciles are done; the domain check here
        if (!in_transform_domain(t, summary[size_t(j)].min))
            throw_domain_error("", spec.feature_names, j, t, summary[size_t(j)].min);
    } else {
        // The order statistics read below: the minimum and the quantiles' neighbours (all of
        // them, sorted, for yeo-johnson, whose fit sums in sorted order).
        std::vector<int64_t> ranks{0};
        for (int32_t b = 0; b < kDecileCuts; ++b)
            add_quantile_ranks(ranks, m, double(b + 1) / kDecileBins);
        if (spec.clip) {
            add_quantile_ranks(ranks, m, spec.clip_q_lo);
            add_quantile_ranks(ranks, m, spec.clip_q_hi);
        }
        if (spec.impute && spec.impute_method == ImputeMethod::Median)
            add_quantile_ranks(ranks, m, 0.5);
        const OrderStatistics sorted(std::move(finite), std::move(ranks),
                                     t == FeatureTransform::YeoJohnson, interrupt);
        if (!in_transform_domain(t, sorted.at(0)))
            throw_domain_error("", spec.feature_names, j, t, sorted.at(0));
        // Deciles and the training share of each decile bin.
        double* cut = p.deciles.data() + size_t(j) * kDecileCuts;
        double* share = p.decile_shares.data() + size_t(j) * kDecileBins;
        int64_t below = 0;
        for (int32_t b = 0; b < kDecileCuts; ++b) {
            cut[b] = transformed_quantile(sorted, FeatureTransform::None, 0.0,
                                          double(b + 1) / kDecileBins);
            const int64_t upto = sorted.count_at_most(cut[b]);
            share[b] = double(upto - below) / double(m);
            below = upto;
        }
        share[kDecileCuts] = double(m - below) / double(m);
        if (t == FeatureTransform::YeoJohnson) {
            try {
                lambda = yeo_johnson_lambda(sorted.sorted_values().data(), m, 1, interrupt);
            } catch (const Error& e) {  // the same error, naming the feature
                throw Error(e.kind(),
                            feature_in_message(spec.feature_names, j) + ": " + e.what(),
                            e.detail(), e.hint());
            }
            p.lambdas[size_t(j)] = lambda;
        }
        if (spec.clip) {
            p.clip_lo[size_t(j)] = transformed_quantile(sorted, t, lambda, spec.clip_q_lo);
            p.clip_hi[size_t(j)] = transformed_quantile(sorted, t, lambda, spec.clip_q_hi);
        }
        if (spec.impute && spec.impute_method == ImputeMethod::Median)
            median = transformed_quantile(sorted, t, lambda, 0.5);
    }
    if (!spec.impute) return 0.0;
    if (spec.impute_method == ImputeMethod::Median) return median;
    if (spec.impute_method == ImputeMethod::Zero) return 0.0;
    double sum = 0.0;  // the mean, in row order
    for (int64_t i = 0; i < n; ++i)
        if (std::isfinite(X(i, j))) sum += apply_transform(t, lambda, X(i, j));
    const double fill = sum / double(m);
    if (!std::isfinite(fill))
        throw Error(ErrorKind::DataException, "cannot impute " +
                                                  feature_in_message(spec.feature_names, j) +
                                                  ": its mean overflows");
    return fill;
}

// Fits and applies the pipeline column by column (see the header).
FeaturePipeline fit_feature_pipeline(RowMap rows, const PipelineSpec& spec,
                                     std::vector<double>& impute,
                                     std::vector<double>& feature_mean,
                                     std::vector<double>& feature_std,
                                     const Interrupt& interrupt, const TaskRunner& runner,
                                     ColumnMoments* moments) {
    const int64_t n = rows.rows();
    const int32_t d = static_cast<int32_t>(rows.cols());
    const ConstRowMap X(rows.data(), n, d);
    FeaturePipeline p;
    const bool transform =
        std::any_of(spec.transform.begin(), spec.transform.end(),
                    [](FeatureTransform t) { return t != FeatureTransform::None; });
    if (transform) {
        p.transform = spec.transform;
        p.lambdas.assign(size_t(d), 0.0);
    }
    if (spec.clip) {
        p.clip_lo.assign(size_t(d), 0.0);
        p.clip_hi.assign(size_t(d), 0.0);
    }
    if (spec.impute) impute.assign(size_t(d), 0.0);
    // Where the imputed elements are, when a transform must later put the exact fill there.
    std::vector<bool> filled(transform && spec.impute ? size_t(n) * size_t(d) : 0, false);
    p.deciles.assign(size_t(d) * kDecileCuts, 0.0);
    p.decile_shares.assign(size_t(d) * kDecileBins, 0.0);
    // Features whose deciles can come from a sample: no exact order statistic asked for.
    std::vector<char> sampled(static_cast<size_t>(d), 0);
    const bool exact_ranks =
        spec.clip || (spec.impute && spec.impute_method == ImputeMethod::Median);
    if (n > kSampledDecileRows && !exact_ranks)
        for (int32_t j = 0; j < d; ++j)
            sampled[size_t(j)] =
                !transform || p.transform[size_t(j)] != FeatureTransform::YeoJohnson;
    const std::vector<FiniteSummary> summary =
        std::find(sampled.begin(), sampled.end(), 1) != sampled.end()
            ? sampled_deciles(X, sampled, p, interrupt, runner)
            : std::vector<FiniteSummary>();
    // Per feature its order statistics (deciles, lambda, clip, median) and its fill, each
    // feature a task; on the runner's threads when the columns are small (each task holds one
    // column copy and its sort scratch). The runner raises the first feature's error, as one
    // feature after another would (task_threads.hpp); then the fills go into the rows.
    std::vector<double> fills(size_t(d), 0.0);
    const TaskRunner& feature_runner =
        n <= OrderStatistics::kSortRows ? runner : TaskRunner(run_tasks_serially);
    feature_runner(
        d,
        [&](int32_t j, const Interrupt& task_interrupt) {
            fills[size_t(j)] = fit_feature_column(X, j, spec, sampled[size_t(j)] != 0, summary,
                                                  p, task_interrupt);
        },
        interrupt);
    for (int32_t j = 0; j < d && spec.impute; ++j) {
        const FeatureTransform t = transform ? p.transform[size_t(j)] : FeatureTransform::None;
        impute[size_t(j)] = fills[size_t(j)];
        // The rows stay in original units until the statistics are taken.
        const double original = inverse_transform(t, transform ? p.lambdas[size_t(j)] : 0.0,
                                                  fills[size_t(j)]);
        for (int64_t i = 0; i < n; ++i) {
            if ((i % kPollRows) == 0) interrupt.poll();
            if (std::isfinite(rows(i, j))) continue;
            rows(i, j) = original;
            if (!filled.empty()) filled[size_t(i) * size_t(d) + size_t(j)] = true;
        }
    }
    if (moments != nullptr) *moments = ColumnMoments();
    const bool unchanged = !transform && !spec.clip;  // the rows leave as they were measured
    column_mean_std(X, feature_mean, feature_std, interrupt, unchanged ? moments : nullptr,
                    spec.feature_names);
    if (unchanged) return p;
    for (int64_t i = 0; i < n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        double* x = rows.data() + i * d;
        if (transform) transform_row(reinterpret_cast<const uint8_t*>(p.transform.data()),
                                     p.lambdas.data(), x, d);
        if (!filled.empty())  // an imputed value is exactly the fill, as at assign time
            for (int32_t j = 0; j < d; ++j)
                if (filled[size_t(i) * size_t(d) + size_t(j)]) x[j] = impute[size_t(j)];
        if (spec.clip) clip_row(p.clip_lo.data(), p.clip_hi.data(), x, d);
    }
    return p;
}

// The column copies and brackets, the sample, the marks (see the header).
double feature_pipeline_fit_bytes(int64_t n, int32_t d, const PipelineSpec& spec,
                                  int32_t threads) {
    const bool transform =
        std::any_of(spec.transform.begin(), spec.transform.end(),
                    [](FeatureTransform t) { return t != FeatureTransform::None; });
    const double rows = static_cast<double>(std::max<int64_t>(n, 0));
    // Sorted whole: the copy and sort_values' scratch; above kSortRows the brackets (or, when
    // a sample misjudged them, the scratch) beside the copy, and the sample.
    // Sampled deciles: up to eight of the sample's columns and a sort scratch for each, the
    // counting tasks' counts and each thread's transposed block (a bound for any thread count).
    const double S = double(OrderStatistics::kSampleRows);
    const double sampled = 8.0 * S * double(std::min(d, 8)) +
                           double(std::min(d, 8)) * radix_sort_bytes(int64_t(S)) +
                           double(task_blocks(n) + 64) * double(d) * (16.0 + 8.0 * 9.0 + 2048.0);
    // Small columns are taken on up to `threads` threads at once.
    const double column = n <= OrderStatistics::kSortRows
                              ? double(std::max(1, std::min(threads, d))) *
                                    (8.0 * rows + radix_sort_bytes(n))
                              : 2.0 * 8.0 * rows + 8.0 * S;
    const double deciles = n > kSampledDecileRows ? std::max(column, sampled) : column;
    return deciles + 8.0 * 64.0 + (transform && spec.impute ? rows * double(d) / 8.0 : 0.0);
}

// Per-feature transform of one row.
int32_t transform_row(const uint8_t* codes, const double* lambdas, double* x, int32_t d) {
    if (codes == nullptr) return -1;
    for (int32_t j = 0; j < d; ++j) {
        const FeatureTransform t = FeatureTransform(codes[j]);
        if (t == FeatureTransform::None || !std::isfinite(x[j])) continue;
        if (!in_transform_domain(t, x[j])) return j;
        x[j] = apply_transform(t, lambdas[j], x[j]);
    }
    return -1;
}

// Clips one row.
void clip_row(const double* lo, const double* hi, double* x, int32_t d) {
    for (int32_t j = 0; j < d; ++j) x[j] = std::min(std::max(x[j], lo[j]), hi[j]);
}

// Inverse transform of one row.
void inverse_transform_row(const uint8_t* codes, const double* lambdas, double* x, int32_t d) {
    if (codes == nullptr) return;
    for (int32_t j = 0; j < d; ++j) x[j] = inverse_transform(FeatureTransform(codes[j]), lambdas[j], x[j]);
}

// Lengths, codes and numbers of a stored pipeline.
void validate_feature_pipeline(const FeaturePipeline& p, int32_t dims, ErrorKind kind) {
    const size_t d = size_t(dims);
    auto fail = [kind](const std::string& what) {
        throw Error(kind, "invalid segmodel: " + what);
    };
    if (!p.transform.empty() || !p.lambdas.empty()) {
        if (p.transform.size() != d || p.lambdas.size() != d)
            fail("\"transform\" and \"lambdas\" need one entry per feature");
        for (size_t j = 0; j < d; ++j) {
            if (uint8_t(p.transform[j]) > uint8_t(FeatureTransform::YeoJohnson))
                fail("unknown transform code");
            if (!std::isfinite(p.lambdas[j])) fail("\"lambdas\" must be finite");
            if (p.transform[j] != FeatureTransform::YeoJohnson && p.lambdas[j] != 0.0)
                fail("a lambda is set for a feature whose transform is not yeo-johnson");
        }
    }
    if (!p.clip_lo.empty() || !p.clip_hi.empty()) {
        if (p.clip_lo.size() != d || p.clip_hi.size() != d)
            fail("\"clip_bounds\" needs one [low, high] pair per feature");
        for (size_t j = 0; j < d; ++j)
            if (!std::isfinite(p.clip_lo[j]) || !std::isfinite(p.clip_hi[j]) ||
                p.clip_lo[j] > p.clip_hi[j])
                fail("\"clip_bounds\" must be finite with low <= high");
    }
    if (!p.deciles.empty() || !p.decile_shares.empty()) {
        if (p.deciles.size() != d * kDecileCuts || p.decile_shares.size() != d * kDecileBins)
            fail("\"feature_deciles\" needs 9 cuts and 10 shares per feature");
        for (size_t j = 0; j < d; ++j) {
            const double* cut = p.deciles.data() + j * kDecileCuts;
            const double* share = p.decile_shares.data() + j * kDecileBins;
            double total = 0.0;
            for (int32_t b = 0; b < kDecileCuts; ++b)
                if (!std::isfinite(cut[b]) || (b > 0 && cut[b] < cut[b - 1]))
                    fail("decile cuts must be finite and ascending");
            for (int32_t b = 0; b < kDecileBins; ++b) {
                if (!(share[b] >= 0.0 && share[b] <= 1.0)) fail("decile shares must lie in [0, 1]");
                total += share[b];
            }
            if (std::fabs(total - 1.0) > 1e-9) fail("decile shares must sum to 1");
        }
    }
}

}  // namespace cseg
