// The feature pipeline inside a model, applied before the scaler: a per-feature transform
// (log1p, sqrt, Yeo-Johnson), imputation of missing values, clipping at training quantiles.
// Order (STYLE.md): transform -> impute -> clip -> scale. Every transform maps 0 to 0 and is
// strictly increasing, so quantiles of transformed values are transforms of order statistics.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "feature_stats.hpp"
#include "interrupt.hpp"
#include "task_threads.hpp"

namespace cseg {

struct ColumnMoments;  // feature_stats.hpp

enum class FeatureTransform : uint8_t { None = 0, Log1p = 1, Sqrt = 2, YeoJohnson = 3 };
enum class ImputeMethod : uint8_t { Mean = 0, Median = 1, Zero = 2 };

// "none", "log1p", "sqrt", "yeo-johnson".
const char* feature_transform_name(FeatureTransform t);
// Parses a transform name; throws Error(InvalidParameter) listing the valid names.
FeatureTransform parse_feature_transform(std::string_view name);
// "mean", "median", "zero".
const char* impute_method_name(ImputeMethod m);
// Parses an impute method; throws Error(InvalidParameter) listing the valid names.
ImputeMethod parse_impute_method(std::string_view name);

// Training deciles kept per feature for seg_drift: 9 cut points (original units, over the
// finite training values) and the share of training values in each of the 10 bins
// (-inf, q1], (q1, q2], ..., (q9, +inf). Above kSampledDecileRows rows, unless clip, a median
// fill or yeo-johnson needs exact order statistics of the feature anyway, the cuts are the
// quantiles of a 65,536-row stride sample (within ~0.002 of the exact levels) while the shares
// are still counted over every row.
constexpr int32_t kDecileCuts = 9;
constexpr int32_t kDecileBins = 10;
// Where the sampled deciles start: twice the sample (OrderStatistics::kSampleRows), so the
// sample is at most half of a column. Sorting every column whole below it costs a few
// milliseconds a feature (d = 50, 166,666 rows: 250 ms of exact deciles, 40 sampled).
constexpr int64_t kSampledDecileRows = 131072;

// Yeo & Johnson (2000): psi(x, lambda), as scikit-learn's PowerTransformer.
double yeo_johnson(double x, double lambda);
// The inverse of yeo_johnson for the same lambda.
double yeo_johnson_inverse(double y, double lambda);

// The maximum-likelihood Yeo-Johnson lambda of the finite values among x[0], x[stride], ...
// (n values), found as scikit-learn 1.2 does: Brent's method (Brent 1973) on the negative
// profile log-likelihood n/2 ln var(psi(x)) - (lambda - 1) sum sign(x) ln(1 + |x|), bracketed
// downhill from (-2, 2). Throws Error(DataException) without at least 2 finite values.
double yeo_johnson_lambda(const double* x, int64_t n, int64_t stride,
                          const Interrupt& interrupt = Interrupt());

// True when x lies in the domain of transform t (log1p: x > -1, sqrt: x >= 0).
inline bool in_transform_domain(FeatureTransform t, double x) {
    switch (t) {
        case FeatureTransform::Log1p: return x > -1.0;
        case FeatureTransform::Sqrt: return x >= 0.0;
        default: return true;
    }
}
// Four doubles, four 64-bit unsigned integers (GCC/Clang vector extensions: AVX2 with the project's
// -march=x86-64-v3, two SSE2 halves or NEON elsewhere).
typedef double F64x4 __attribute__((vector_size(32)));
typedef uint64_t U64x4 __attribute__((vector_size(32)));

// log(1 + x) of four values at once, as the pipeline computes it at fit and at assign time
// alike (x > -1; other lanes give meaningless values and no trap). fdlibm's s_log1p.c
// algorithm without its branches: u = fl(1 + x) = 2^k m with m in [sqrt(1/2), sqrt(2)),
// f = m - 1 (exact), the rounding error e of 1 + x (TwoSum) carried as c = e / u;
// log(1 + f) = f - hfsq + s (hfsq + R(s^2)) with hfsq = f^2 / 2, s = f / (m + 1) and R
// fdlibm's degree-14 minimax polynomial (in Estrin's order: less latency); k ln2 in two parts.
// Within 0.76 ulp of log1p (test_feature_pipeline measures it against log1pl); each lane is
// computed alone, so any grouping of values gives the same bits (pipeline_log1p: a lane).
// Without a call or a table it vectorises: four at a time cost ~1.5-2.4 ns a value on this
// machine against ~5-8 ns for glibc's log plus a division, one at a time (README, Known gaps).
inline F64x4 pipeline_log1p4(F64x4 x) {
    const F64x4 u = 1.0 + x;
    const F64x4 b = u - 1.0;
    const F64x4 e = (1.0 - (u - b)) + (x - b);  // 1 + x = u + e exactly
    const U64x4 bits = (U64x4)u;
    // k = floor(log2(u / sqrt(1/2))), read from the bits (u > 0 is normal for x > -1).
    const U64x4 k = (((bits - 0x3fe6a09e667f3bcdULL) + (1ULL << 62)) >> 52) - 1024;
    const F64x4 m = (F64x4)(bits - (k << 52));
    const F64x4 dk = (F64x4)(k + 0x4338000000000000ULL) - 0x1.8p52;  // k as a double
    const F64x4 f = m - 1.0;
    const F64x4 c = e / u;
    const F64x4 hfsq = 0.5 * f * f;
    const F64x4 s = f / (m + 1.0);
    const F64x4 z = s * s, w = z * z, w2 = w * w;
    const F64x4 t1 = w * ((3.999999999940941908e-01 + w * 2.222219843214978396e-01) +
                          w2 * 1.531383769920937332e-01);
    const F64x4 t2 = z * ((6.666666666666735130e-01 + w * 2.857142874366239149e-01) +
                          w2 * (1.818357216161805012e-01 + w * 1.479819860511658591e-01));
    const F64x4 R = t2 + t1;
    return dk * 6.93147180369123816490e-01 -
           ((hfsq - (s * (hfsq + R) + (dk * 1.90821492927058770002e-10 + c))) - f);
}

// log(1 + x) of one value (x > -1): pipeline_log1p4's lane, the same bits.
inline double pipeline_log1p(double x) {
    const F64x4 v = {x, x, x, x};
    return pipeline_log1p4(v)[0];
}

// out[i] = pipeline_log1p(in[index[i]]) for i < n, four at a time (values outside the
// domain, NaN included, give meaningless results: callers check the domain themselves).
inline void pipeline_log1p_at(const int32_t* index, int32_t n, const double* in, double* out) {
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const F64x4 v = {in[index[i]], in[index[i + 1]], in[index[i + 2]], in[index[i + 3]]};
        const F64x4 r = pipeline_log1p4(v);
        for (int32_t l = 0; l < 4; ++l) out[i + l] = r[l];
    }
    // The last one to three values: the vector built in registers from three scalars (filling
    // its lanes one by one through memory made the load wait ~10 ns for the stores to land).
    const int32_t left = n - i;
    if (left > 0) {
        const double a = in[index[i]];
        const double b = left > 1 ? in[index[i + 1]] : a;
        const double c = left > 2 ? in[index[i + 2]] : a;
        const F64x4 r = pipeline_log1p4(F64x4{a, b, c, a});
        out[i] = r[0];
        if (left > 1) out[i + 1] = r[1];
        if (left > 2) out[i + 2] = r[2];
    }
}

// t(x) (lambda only for Yeo-Johnson); x must be in the domain.
inline double apply_transform(FeatureTransform t, double lambda, double x) {
    switch (t) {
        case FeatureTransform::None: return x;
        case FeatureTransform::Log1p: return pipeline_log1p(x);
        case FeatureTransform::Sqrt: return std::sqrt(x);
        case FeatureTransform::YeoJohnson: return yeo_johnson(x, lambda);
    }
    return x;
}
// The inverse of apply_transform (expm1, square, inverse Yeo-Johnson); a value below the
// transform's range (e.g. a negative for sqrt) maps to the domain's edge.
double inverse_transform(FeatureTransform t, double lambda, double y);

// Linear-interpolation quantile (numpy's default) of sorted[0..n), q in [0, 1], n >= 1.
double sorted_quantile(const double* sorted, int64_t n, double q);

// What a model stores of its pipeline, per feature (empty vectors: the step is off).
struct FeaturePipeline {
    std::vector<FeatureTransform> transform;  // dims, or empty: no transform
    std::vector<double> lambdas;              // dims iff transform (0 unless yeo-johnson)
    std::vector<double> clip_lo, clip_hi;     // dims iff clipping, transformed units
    std::vector<double> deciles;              // dims * 9, original units
    std::vector<double> decile_shares;        // dims * 10
};

// How to fit the pipeline (from a model's options).
struct PipelineSpec {
    std::vector<FeatureTransform> transform;  // dims or empty
    bool clip = false;
    double clip_q_lo = 0.0, clip_q_hi = 1.0;  // 0 <= lo < hi <= 1
    bool impute = false;                      // missing = impute
    ImputeMethod impute_method = ImputeMethod::Mean;
    std::vector<std::string> feature_names;   // for error messages (empty: "feature 3")
};


// Fits the pipeline on n x d training rows in original units (NaN or +-Inf = missing; rows
// must already be complete unless spec.impute) and applies it in place: afterwards `rows`
// hold transformed, imputed and clipped values ready for the scaler. `impute` receives the
// fill values (transformed units) when spec.impute. Also computes the training deciles (over
// the finite values) and, over the rows in original units with the imputed values mapped
// back, the feature means and population standard deviations (the profile statistics).
// Throws Error(DataException) naming the feature and the value when a value lies outside its
// transform's domain, or when a feature to impute has no finite value (the first such
// feature); Cancelled. The deciles' counting pass over all rows, and the features of tables of
// up to OrderStatistics::kSortRows rows, run on `runner` (the result is the same for any).
// `moments` (when not NULL) receives the column moments of the profile statistics when the
// rows leave the pipeline exactly as they were measured (no transform, no clip: a standard
// scaler fits from them, scaler.hpp); otherwise it is left with n = 0.
FeaturePipeline fit_feature_pipeline(RowMap rows, const PipelineSpec& spec,
                                     std::vector<double>& impute,
                                     std::vector<double>& feature_mean,
                                     std::vector<double>& feature_std,
                                     const Interrupt& interrupt,
                                     const TaskRunner& runner = run_tasks_serially,
                                     ColumnMoments* moments = nullptr);

// Bytes fit_feature_pipeline allocates at most for n x d rows on `threads` threads: per thread
// one column's finite values and the radix sort's scratch (row_order.hpp sort_values) or, past
// OrderStatistics::kSortRows, its brackets (at worst every value, when ties fill them) and
// their sample, or, past kSampledDecileRows, the sampled deciles' sample columns, their sort
// scratch and counts, whichever is larger; the imputed elements' marks when a transform and
// imputation meet.
double feature_pipeline_fit_bytes(int64_t n, int32_t d, const PipelineSpec& spec,
                                  int32_t threads = 1);

// Transforms x[0..d) in place with per-feature codes (may be nullptr: no transform).
// Missing values (non-finite) stay as they are. Returns -1, or the index of the first
// feature whose value is outside its transform's domain (that value left unchanged).
int32_t transform_row(const uint8_t* codes, const double* lambdas, double* x, int32_t d);

// Clips x[0..d) to [lo[j], hi[j]] in place.
void clip_row(const double* lo, const double* hi, double* x, int32_t d);

// Maps one row of transformed values back to original units in place (codes may be nullptr).
void inverse_transform_row(const uint8_t* codes, const double* lambdas, double* x, int32_t d);

// The error for a value outside the domain of feature j's transform (Error(DataException)).
[[noreturn]] void throw_domain_error(const std::string& fn, const std::vector<std::string>& names,
                                     int32_t j, FeatureTransform t, double x);

// Throws Error(kind) unless the pipeline fits dims features: vector lengths, finite numbers,
// clip_lo <= clip_hi, decile cuts ascending, shares in [0, 1] summing to 1 per feature.
void validate_feature_pipeline(const FeaturePipeline& p, int32_t dims, ErrorKind kind);

}  // namespace cseg
