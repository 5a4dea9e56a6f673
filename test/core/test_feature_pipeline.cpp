// The feature pipeline: Yeo-Johnson lambdas against scikit-learn 1.2.1's
// PowerTransformer(method="yeo-johnson", standardize=False) on the shipped real data, the
// transforms and their inverses, deciles, clipping, imputation, domain errors.
// Figures from: /usr/bin/python3 test/reference/yeo_johnson_reference.py
// (its output is kept in test/reference/yeo_johnson_reference.txt).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "csv.hpp"
#include "errors.hpp"
#include "feature_pipeline.hpp"
#include "feature_stats.hpp"
#include "model_fit.hpp"
#include "model_codec.hpp"
#include "model_json.hpp"
#include "test_random.hpp"

namespace {

using cseg::FeatureTransform;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Lambda of every column of X (NaN skipped), as PowerTransformer fits them column by column.
std::vector<double> lambdas(const cseg::RowMatrix& X) {
    std::vector<double> out;
    for (Eigen::Index j = 0; j < X.cols(); ++j)
        out.push_back(cseg::yeo_johnson_lambda(X.data() + j, X.rows(), X.cols()));
    return out;
}

// Each lambda within 1e-6 of scikit-learn's.
void expect_lambdas(const std::vector<double>& got, const std::vector<double>& sklearn) {
    ASSERT_EQ(got.size(), sklearn.size());
    for (size_t j = 0; j < got.size(); ++j)
        EXPECT_NEAR(got[j], sklearn[j], 1e-6) << "feature " << j;
}

TEST(YeoJohnson, LambdasEqualScikitLearnOnMall) {
    expect_lambdas(lambdas(cseg::testdata::mall_customers()),
                   {0.12817506775519075, 0.6457054179900978, 0.8429140117883438});
}

TEST(YeoJohnson, LambdasEqualScikitLearnOnWholesale) {
    expect_lambdas(lambdas(cseg::testdata::wholesale_customers()),
                   {0.29439123289326263, 0.06626945774945416, 0.12374213312064684,
                    0.08797998264427842, 0.055398831547407816, 0.1854110537092628});
}

TEST(YeoJohnson, LambdasEqualScikitLearnOnMarketingWithMissingIncomes) {
    const cseg::RowMatrix X = cseg::testdata::numeric_columns(
        cseg::testdata::read_table("marketing_campaign.csv", '\t'),
        {"Income", "Recency", "MntWines", "MntGoldProds", "NumWebVisitsMonth"});
    expect_lambdas(lambdas(X), {0.4626537617775849, 0.7136319481566505, 0.18910711022134707,
                                0.11350711482626254, 0.8644783195150061});
}

TEST(YeoJohnson, LambdaEqualsScikitLearnOnValuesOfBothSigns) {
    cseg::RowMatrix fresh = cseg::testdata::wholesale_customers().col(0);
    std::vector<double> v(fresh.data(), fresh.data() + fresh.rows());
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    const double median = cseg::sorted_quantile(s.data(), int64_t(s.size()), 0.5);
    for (double& x : v) x = (x - median) / 1000.0;
    EXPECT_NEAR(cseg::yeo_johnson_lambda(v.data(), int64_t(v.size()), 1), 0.6567880180940063,
                1e-6);
}

TEST(YeoJohnson, TransformAndInverseEqualScikitLearn) {
    const double x[] = {-3.5, -0.25, 0.0, 0.5, 12.0};
    const struct {
        double lambda;
        double y[5];
    } cases[] = {
        {0.6567880180940063,
         {-4.869333734934063, -0.26019211710991996, 0.0, 0.4645830396248201, 6.684722040692681}},
        {0.0, {-9.625, -0.28125, 0.0, 0.4054651081081644, 2.5649493574615367}},
        {2.0, {-1.5040773967762742, -0.22314355131420976, 0.0, 0.625, 84.0}},
        {-0.7, {-21.12327222750385, -0.30616930542724347, -0.0, 0.35300291861251865,
                1.191356720393233}},
    };
    for (const auto& c : cases) {
        for (int i = 0; i < 5; ++i) {
            const double y = cseg::yeo_johnson(x[i], c.lambda);
            EXPECT_NEAR(y, c.y[i], 1e-12 * (1.0 + std::fabs(c.y[i]))) << c.lambda << " " << x[i];
            EXPECT_NEAR(cseg::yeo_johnson_inverse(y, c.lambda), x[i], 1e-12 * (1.0 + std::fabs(x[i])));
        }
    }
}

// psi of a value near 1e-9 keeps its digits: (1 + x)^lambda - 1 computed with pow rounds
// 1 + x and cancels, so psi(1e-9, 1e-9) came out 0 and psi(3e-10, 0.5) 3.3e-10.
TEST(YeoJohnson, TinyValuesKeepTheirDigits) {
    const struct {
        double x, lambda, y;
    } cases[] = {
        {1e-9, 1e-9, 9.99999999499999988e-10},  // to 50 digits: Python's decimal
        {3e-10, 0.5, 2.99999999977500013e-10},
        {-7e-10, 1.5, -6.99999999877499992e-10},
        {2.5e-9, 1e7, 2.53151204923877413e-09},
    };
    for (const auto& c : cases) {
        const double y = cseg::yeo_johnson(c.x, c.lambda);
        EXPECT_NEAR(y, c.y, 1e-12 * std::fabs(c.y)) << c.x << " " << c.lambda;
        EXPECT_NEAR(cseg::yeo_johnson_inverse(y, c.lambda), c.x, 1e-12 * std::fabs(c.x));
    }
}

// The profile log-likelihood of lambda in exact-arithmetic terms (expm1 / log1p written out
// here, apart from the library), negated as the fit minimises it.
double stable_nll(const std::vector<double>& v, double lambda) {
    std::vector<double> y;
    double sign_log = 0.0, mean = 0.0, ss = 0.0;
    for (double x : v) {
        const double t = x >= 0 ? std::expm1(lambda * std::log1p(x)) / lambda
                                : -std::expm1((2.0 - lambda) * std::log1p(-x)) / (2.0 - lambda);
        y.push_back(t);
        mean += t;
        sign_log += (x > 0 ? 1.0 : -1.0) * std::log1p(std::fabs(x));
    }
    mean /= double(v.size());
    for (double t : y) ss += (t - mean) * (t - mean);
    return double(v.size()) / 2.0 * std::log(ss / double(v.size())) - (lambda - 1.0) * sign_log;
}

// On a column of values near 1e-9 the fitted lambda maximises the likelihood: no lambda of a
// wide grid (where lambda * x is up to ~0.1, the scale on which psi bends such values) is
// better. With the pow form the likelihood was noise at this scale and its maxima spurious
// (scikit-learn's PowerTransformer picks about -1e-8 there, which maps most of the values
// to the same few numbers).
TEST(YeoJohnson, LambdaOfTinyValuesMaximisesTheLikelihood) {
    cseg::test::Uniform u(20261207);
    std::vector<double> v;
    for (int i = 0; i < 600; ++i) {
        const double z = std::sqrt(-2.0 * std::log(1.0 - u())) * std::cos(6.283185307179586 * u());
        v.push_back(1e-9 * ((i % 3 == 0 ? 2.0 : -1.0) + 0.7 * z));
    }
    const double lambda = cseg::yeo_johnson_lambda(v.data(), int64_t(v.size()), 1);
    const double at_fit = stable_nll(v, lambda);
    double best = std::numeric_limits<double>::infinity();
    for (double e = 5.0; e <= 8.0; e += 0.05)
        for (double s : {-1.0, 1.0}) best = std::min(best, stable_nll(v, s * std::pow(10.0, e)));
    for (double l = -3.0; l <= 3.0; l += 0.25) best = std::min(best, stable_nll(v, l));
    EXPECT_LE(at_fit, best + 1e-6 * std::fabs(best)) << "lambda " << lambda;
}

// A constant column has no maximum-likelihood lambda: it gets 1 (identity for x >= 0), the
// same for every constant. Before, 0s were an error and -3.25 or 7 (whose mean rounds) got
// whatever lambda Brent stopped at (-0.47 for 32 values of -3.25; scikit-learn: 8.47).
TEST(YeoJohnson, ConstantColumnGetsLambdaOne) {
    for (double c : {0.0, -3.25, 7.0, 1e6}) {
        for (int64_t n : {2, 32, 97}) {
            std::vector<double> v(static_cast<size_t>(n), c);
            v.push_back(kNaN);
            EXPECT_EQ(cseg::yeo_johnson_lambda(v.data(), int64_t(v.size()), 1), 1.0)
                << c << " x " << n;
        }
    }
    const double denormals[] = {0.0, 5e-324, 0.0, -5e-324};  // not constant: still an error
    EXPECT_THROW(cseg::yeo_johnson_lambda(denormals, 4, 1), cseg::Error);
}

TEST(YeoJohnson, TooFewValuesIsAnError) {
    const double x[] = {1.0, kNaN};
    EXPECT_THROW(cseg::yeo_johnson_lambda(x, 2, 1), cseg::Error);
}

TEST(FeatureTransform, NamesRoundTripAndUnknownIsAnError) {
    for (FeatureTransform t : {FeatureTransform::None, FeatureTransform::Log1p,
                               FeatureTransform::Sqrt, FeatureTransform::YeoJohnson})
        EXPECT_EQ(cseg::parse_feature_transform(cseg::feature_transform_name(t)), t);
    EXPECT_THROW(cseg::parse_feature_transform("log"), cseg::Error);
    EXPECT_EQ(cseg::parse_impute_method("median"), cseg::ImputeMethod::Median);
    EXPECT_THROW(cseg::parse_impute_method("mode"), cseg::Error);
}

TEST(FeatureTransform, InversesRoundTrip) {
    for (double x : {0.0, 0.5, 3.0, 1234.5}) {
        for (FeatureTransform t : {FeatureTransform::Log1p, FeatureTransform::Sqrt}) {
            const double y = cseg::apply_transform(t, 0.0, x);
            EXPECT_NEAR(cseg::inverse_transform(t, 0.0, y), x, 1e-12 * (1.0 + x));
        }
    }
    EXPECT_DOUBLE_EQ(cseg::apply_transform(FeatureTransform::Log1p, 0.0, 99.0), std::log(100.0));
}

// The ulps between a double and the exact value (a long double reference).
static double ulps_from(double got, long double exact) {
    const double e = double(exact);
    const double ulp = std::nextafter(std::fabs(e), kInf) - std::fabs(e);
    return double(std::fabs((long double)got - exact) / (long double)ulp);
}

TEST(PipelineLog1p, WithinOneUlpOfLog1p) {
    // Values over the whole domain: near -1, both signs of small, integers, huge; the
    // reference is long double log1pl (64-bit significand).
    std::vector<double> xs = {-0.9999999999999999, -0.75, -0.5, -0.2928932, -1e-300, -5e-324,
                              0.0, 5e-324, 1e-300, 1e-17, 1e-9, 0.4142135, 1.0, 3.0, 15.0,
                              137.0, 1e6, 1e300, std::numeric_limits<double>::max()};
    uint64_t state = 88172645463325252ULL;  // xorshift64: a fixed, portable sequence
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return double(state >> 11) * 0x1.0p-53;  // [0, 1)
    };
    for (int i = 0; i < 200000; ++i) {
        xs.push_back(next() * 2.0 - 1.0);                      // (-1, 1)
        xs.push_back(std::exp(next() * 1400.0 - 700.0));       // 1e-304 .. 1e304
        xs.push_back(-std::exp(next() * 690.0 - 700.0));       // -1e-304 .. -1e-4
        xs.push_back(std::floor(next() * 1e6));                // integers
    }
    double worst = 0.0;
    for (double x : xs) {
        if (!(x > -1.0)) continue;
        const double got = cseg::pipeline_log1p(x);
        worst = std::max(worst, ulps_from(got, log1pl((long double)x)));
    }
    EXPECT_LE(worst, 1.0);  // fdlibm's algorithm: under 1 ulp (glibc's log + e / u: 1.44)
    EXPECT_EQ(cseg::pipeline_log1p(0.0), 0.0);
    EXPECT_EQ(cseg::pipeline_log1p(1e-300), 1e-300);  // log1p(x) = x below 2^-54
    EXPECT_EQ(cseg::apply_transform(FeatureTransform::Log1p, 0.0, 3.0), cseg::pipeline_log1p(3.0));
}

TEST(PipelineLog1p, FourAtATimeGivesTheBitsOfOneByOne) {
    // Any grouping (the fit one value at a time, seg_assign four at a time, a tail of 1-3
    // lanes) must give the same bits, with NaN, +-Inf and out-of-domain lanes beside them.
    std::vector<double> in = {0.0, -0.0, 1e-300, 0.3, -0.29, 0.42, 1.0, 99.0, 1e300,
                              std::numeric_limits<double>::max(), -0.9999999999999999,
                              std::nan(""), kInf, -kInf, -1.0, -2.5, 5e-324, 1234.5678};
    uint64_t state = 2463534242ULL;
    for (int i = 0; i < 4000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        in.push_back(std::ldexp(double(state >> 11), -53 + int(state % 90)) - 0.999);
    }
    for (int32_t n : {1, 2, 3, 4, 5, 7, 8, int32_t(in.size())}) {
        std::vector<int32_t> index;
        for (int32_t i = 0; i < n; ++i) index.push_back(int32_t((i * 7) % int32_t(in.size())));
        std::vector<double> out(size_t(n), -7.0);
        cseg::pipeline_log1p_at(index.data(), n, in.data(), out.data());
        for (int32_t i = 0; i < n; ++i) {
            const double x = in[size_t(index[size_t(i)])];
            if (!(x > -1.0) || !std::isfinite(x)) continue;  // meaningless there, by contract
            EXPECT_EQ(out[size_t(i)], cseg::pipeline_log1p(x)) << "x = " << x << ", n = " << n;
        }
    }
}

TEST(SortedQuantile, EqualsNumpyLinear) {
    const double v[] = {1.0, 2.0, 4.0, 8.0};
    EXPECT_DOUBLE_EQ(cseg::sorted_quantile(v, 4, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(cseg::sorted_quantile(v, 4, 0.5), 3.0);    // numpy.quantile: 3.0
    EXPECT_DOUBLE_EQ(cseg::sorted_quantile(v, 4, 0.9), 6.8);    // numpy.quantile: 6.8
    EXPECT_DOUBLE_EQ(cseg::sorted_quantile(v, 4, 1.0), 8.0);
}

// Fits the pipeline on a copy of X.
struct Fitted {
    cseg::RowMatrix rows;
    cseg::FeaturePipeline p;
    std::vector<double> impute, mean, sd;
};
Fitted fit(const cseg::RowMatrix& X, const cseg::PipelineSpec& spec, int32_t threads = 1) {
    Fitted f;
    f.rows = X;
    f.p = cseg::fit_feature_pipeline(cseg::RowMap(f.rows.data(), f.rows.rows(), f.rows.cols()),
                                     spec, f.impute, f.mean, f.sd, cseg::Interrupt(),
                                     cseg::threads_runner(threads));
    return f;
}

TEST(FitFeaturePipeline, DefaultKeepsRowsAndComputesDeciles) {
    const cseg::RowMatrix X = cseg::testdata::mall_customers();
    const Fitted f = fit(X, cseg::PipelineSpec{});
    EXPECT_TRUE(f.rows == X);
    EXPECT_TRUE(f.p.transform.empty() && f.p.clip_lo.empty());
    ASSERT_EQ(f.p.deciles.size(), 27u);
    // numpy.quantile(age, 0.1) = 21.0, (income, 0.5) = 61.5 on the mall customers.
    EXPECT_DOUBLE_EQ(f.p.deciles[0], 21.0);
    EXPECT_DOUBLE_EQ(f.p.deciles[9 + 4], 61.5);
    for (int j = 0; j < 3; ++j) {
        double total = 0.0;
        for (int b = 0; b < 10; ++b) total += f.p.decile_shares[size_t(j * 10 + b)];
        EXPECT_NEAR(total, 1.0, 1e-12);
    }
    EXPECT_NEAR(f.mean[0], 38.85, 1e-12);
    EXPECT_NO_THROW(cseg::validate_feature_pipeline(f.p, 3, cseg::ErrorKind::Internal));
}

TEST(FitFeaturePipeline, TransformsClipsAndKeepsStatisticsInOriginalUnits) {
    const cseg::RowMatrix X = cseg::testdata::wholesale_customers();
    cseg::PipelineSpec spec;
    spec.transform = {FeatureTransform::Log1p, FeatureTransform::YeoJohnson, FeatureTransform::Sqrt,
                      FeatureTransform::None, FeatureTransform::None, FeatureTransform::None};
    spec.clip = true;
    spec.clip_q_lo = 0.01;
    spec.clip_q_hi = 0.99;
    const Fitted f = fit(X, spec);
    EXPECT_NEAR(f.p.lambdas[1], 0.06626945774945416, 1e-6);
    EXPECT_EQ(f.p.lambdas[0], 0.0);
    // numpy.quantile(np.log1p(fresh), 0.99) bounds every transformed value.
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        for (int j = 0; j < 6; ++j) {
            EXPECT_GE(f.rows(i, j), f.p.clip_lo[size_t(j)]);
            EXPECT_LE(f.rows(i, j), f.p.clip_hi[size_t(j)]);
        }
        const double expect = std::min(std::max(std::log1p(X(i, 0)), f.p.clip_lo[0]), f.p.clip_hi[0]);
        EXPECT_DOUBLE_EQ(f.rows(i, 0), expect);
    }
    EXPECT_LT(f.p.clip_lo[0], f.p.clip_hi[0]);
    EXPECT_NEAR(f.mean[0], X.col(0).mean(), 1e-9 * X.col(0).mean());  // original units
    EXPECT_NO_THROW(cseg::validate_feature_pipeline(f.p, 6, cseg::ErrorKind::Internal));
}

TEST(FitFeaturePipeline, ImputesMedianAndZeroInTransformedUnits) {
    cseg::RowMatrix X(5, 2);
    X << 1.0, 3.0,  //
        kNaN, 8.0,  //
        3.0, kNaN,  //
        7.0, 15.0,  //
        15.0, 24.0;
    cseg::PipelineSpec spec;
    spec.transform = {FeatureTransform::Log1p, FeatureTransform::Sqrt};
    spec.impute = true;
    spec.impute_method = cseg::ImputeMethod::Median;
    Fitted f = fit(X, spec);
    // Medians of log1p(1, 3, 7, 15) = (log 4 + log 8) / 2 and of sqrt(3, 8, 15, 24) = (sqrt 9 ... )
    EXPECT_NEAR(f.impute[0], 0.5 * (std::log(4.0) + std::log(8.0)), 1e-12);
    EXPECT_NEAR(f.impute[1], 0.5 * (std::sqrt(8.0) + std::sqrt(15.0)), 1e-12);
    EXPECT_EQ(f.rows(1, 0), f.impute[0]);  // exactly the fill, as seg_assign puts it
    EXPECT_EQ(f.rows(2, 1), f.impute[1]);
    spec.impute_method = cseg::ImputeMethod::Zero;
    f = fit(X, spec);
    EXPECT_EQ(f.rows(1, 0), 0.0);
    EXPECT_EQ(f.rows(2, 1), 0.0);
    EXPECT_NEAR(f.mean[0], (1.0 + 0.0 + 3.0 + 7.0 + 15.0) / 5.0, 1e-12);
}

// Above kSampledDecileRows rows, with no clip or median asked for, the deciles come
// from a stride sample: each cut within 0.01 in quantile level of the exact one (its sampling
// error is ~0.0012), and each bin's share counted exactly over all rows for those cuts (a NaN
// or an infinity in no bin); a value outside a transform's domain and a NULL still behave as
// on small tables.
TEST(FitFeaturePipeline, LargeTablesTakeDecilesFromASampleAndCountSharesExactly) {
    const int64_t n = cseg::kSampledDecileRows + 12345;
    cseg::RowMatrix X(n, 3);
    cseg::test::Uniform uniform(42);
    for (int64_t i = 0; i < n; ++i) {
        X(i, 0) = -std::log(1.0 - uniform()) * 1000.0;  // heavy right tail
        X(i, 1) = double(int64_t(uniform() * 5.0));      // five distinct values
        X(i, 2) = (i % 97 == 0)   ? kNaN                  // some missing
                  : (i % 89 == 0) ? kInf
                  : (i % 83 == 0) ? -kInf
                                  : uniform();
    }
    cseg::PipelineSpec spec;
    spec.transform = {FeatureTransform::Log1p, FeatureTransform::None, FeatureTransform::Sqrt};
    spec.impute = true;
    spec.impute_method = cseg::ImputeMethod::Mean;
    const Fitted f = fit(X, spec);
    for (int j = 0; j < 3; ++j) {
        std::vector<double> v;
        for (int64_t i = 0; i < n; ++i)
            if (std::isfinite(X(i, j))) v.push_back(X(i, j));
        std::sort(v.begin(), v.end());
        const double m = double(v.size());
        int64_t below = 0;
        for (int b = 0; b < 10; ++b) {
            const double cut = b < 9 ? f.p.deciles[size_t(j * 9 + b)] : kInf;
            if (b < 9) {
                // The cut's level among all values brackets (b + 1) / 10 within 0.01.
                const double lo = double(std::lower_bound(v.begin(), v.end(), cut) - v.begin()) / m;
                const double hi = double(std::upper_bound(v.begin(), v.end(), cut) - v.begin()) / m;
                EXPECT_LE(lo, (b + 1) / 10.0 + 0.01) << "feature " << j << " cut " << b;
                EXPECT_GE(hi, (b + 1) / 10.0 - 0.01) << "feature " << j << " cut " << b;
            }
            const int64_t upto = std::upper_bound(v.begin(), v.end(), cut) - v.begin();
            EXPECT_DOUBLE_EQ(f.p.decile_shares[size_t(j * 10 + b)], double(upto - below) / m)
                << "feature " << j << " bin " << b;
            below = upto;
        }
    }
    double sum = 0.0;  // the mean fill of feature 3, in sqrt units, in row order
    int64_t finite = 0;
    for (int64_t i = 0; i < n; ++i)
        if (std::isfinite(X(i, 2))) sum += std::sqrt(X(i, 2)), ++finite;
    EXPECT_EQ(f.impute[2], sum / double(finite));
    EXPECT_EQ(f.rows(0, 2), f.impute[2]);  // exactly the fill
    X(n - 1, 0) = -3.0;
    try {
        fit(X, spec);
        FAIL() << "no error";
    } catch (const cseg::Error& e) {
        EXPECT_NE(std::string(e.what()).find("feature 1 = -3"), std::string::npos) << e.what();
    }
}

// The sampled deciles' counting pass runs in blocks on threads and the sample is gathered
// eight columns at a time: 1, 2 and 3 threads give the same bits, with more than eight
// features, missing values and infinities (imputed), -0.0 beside 0.0 and a mostly missing
// column; a value outside a transform's domain in the last block is still the one the error
// names.
TEST(FitFeaturePipeline, SampledDecilesAreTheSameOnAnyThreads) {
    const int64_t n = cseg::OrderStatistics::kSortRows * 2 + 777;
    const int d = 11;
    cseg::RowMatrix X(n, d);
    cseg::test::Uniform uniform(7);
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j) {
            const double u = uniform();
            X(i, j) = j == 3 ? (u < 0.5 ? 0.0 : -0.0)
                      : j == 9 ? (i % 5 == 0 ? u : kNaN)
                      : u < 0.01 ? kInf
                                 : -std::log(1.0 - u) * double(j + 1);
        }
    cseg::PipelineSpec spec;
    spec.impute = true;
    const Fitted one = fit(X, spec, 1);
    for (int threads : {2, 3}) {
        const Fitted f = fit(X, spec, threads);
        EXPECT_EQ(f.p.deciles, one.p.deciles) << threads << " threads";
        EXPECT_EQ(f.p.decile_shares, one.p.decile_shares) << threads << " threads";
        EXPECT_EQ(f.mean, one.mean);
        EXPECT_EQ(f.sd, one.sd);
    }
    for (int b = 1; b < 9; ++b)  // increasing cuts on a continuous feature
        EXPECT_LT(one.p.deciles[size_t(b - 1)], one.p.deciles[size_t(b)]);
    for (int j = 0; j < d; ++j) {  // each bin's share of the finite values, counted directly
        std::vector<int64_t> bins(10, 0);
        int64_t finite = 0;
        for (int64_t i = 0; i < n; ++i) {
            const double x = X(i, j);
            if (!std::isfinite(x)) continue;
            ++finite;
            int b = 0;
            while (b < 9 && x > one.p.deciles[size_t(j * 9 + b)]) ++b;
            ++bins[size_t(b)];
        }
        for (int b = 0; b < 10; ++b)
            EXPECT_EQ(one.p.decile_shares[size_t(j * 10 + b)], double(bins[size_t(b)]) / double(finite))
                << "feature " << j << " bin " << b;
    }
    spec.transform.assign(size_t(d), FeatureTransform::None);
    spec.transform[4] = FeatureTransform::Sqrt;
    X(n - 1, 4) = -0.25;
    for (int threads : {1, 2}) {
        try {
            fit(X, spec, threads);
            FAIL() << "no error";
        } catch (const cseg::Error& e) {
            EXPECT_NE(std::string(e.what()).find("feature 5 = -0.25"), std::string::npos)
                << e.what();
        }
    }
}

// Small tables take their features on threads: every transform, clip and a median fill give
// the same rows, deciles, lambdas, bounds and fills on 1, 2 and 3 threads; with two features
// outside their domains the first one is named on any threads, as one after another would.
TEST(FitFeaturePipeline, SmallTablesTakeTheirFeaturesOnThreads) {
    const int64_t n = 5000;
    const int d = 7;
    cseg::RowMatrix X(n, d);
    cseg::test::Uniform uniform(3);
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j)
            X(i, j) = (i % (11 + j) == 0) ? kNaN : -std::log(1.0 - uniform()) * (j + 1) - 0.5;
    cseg::PipelineSpec spec;
    spec.transform = {FeatureTransform::None, FeatureTransform::YeoJohnson,
                      FeatureTransform::Log1p, FeatureTransform::YeoJohnson,
                      FeatureTransform::None, FeatureTransform::Log1p, FeatureTransform::None};
    spec.clip = true;
    spec.clip_q_lo = 0.02;
    spec.clip_q_hi = 0.97;
    spec.impute = true;
    spec.impute_method = cseg::ImputeMethod::Median;
    const Fitted one = fit(X, spec, 1);
    for (int threads : {2, 3}) {
        const Fitted f = fit(X, spec, threads);
        EXPECT_TRUE(f.rows == one.rows) << threads << " threads";
        EXPECT_EQ(f.p.deciles, one.p.deciles);
        EXPECT_EQ(f.p.decile_shares, one.p.decile_shares);
        EXPECT_EQ(f.p.lambdas, one.p.lambdas);
        EXPECT_EQ(f.p.clip_lo, one.p.clip_lo);
        EXPECT_EQ(f.p.clip_hi, one.p.clip_hi);
        EXPECT_EQ(f.impute, one.impute);
        EXPECT_EQ(f.mean, one.mean);
    }
    EXPECT_NE(one.p.lambdas[1], 0.0);
    X(n - 1, 5) = -2.0;  // log1p: outside
    X(n - 2, 2) = -1.5;  // log1p: outside, an earlier feature
    for (int threads : {1, 2, 3}) {
        for (int rep = 0; rep < 3; ++rep) {
            try {
                fit(X, spec, threads);
                FAIL() << "no error";
            } catch (const cseg::Error& e) {
                EXPECT_NE(std::string(e.what()).find("feature 3 = -1.5"), std::string::npos)
                    << threads << " threads: " << e.what();
            }
        }
    }
}

TEST(FitFeaturePipeline, ValueOutsideTheDomainNamesTheFeature) {
    cseg::RowMatrix X(3, 2);
    X << 1.0, 2.0, 3.0, -4.0, 5.0, 6.0;
    cseg::PipelineSpec spec;
    spec.transform = {FeatureTransform::None, FeatureTransform::Sqrt};
    spec.feature_names = {"age", "balance"};
    try {
        fit(X, spec);
        FAIL() << "no error";
    } catch (const cseg::Error& e) {
        EXPECT_EQ(e.kind(), cseg::ErrorKind::DataException);
        EXPECT_NE(std::string(e.what()).find("feature \"balance\" = -4"), std::string::npos)
            << e.what();
    }
    double row[] = {1.0, -2.0};
    const uint8_t codes[] = {uint8_t(FeatureTransform::Log1p), uint8_t(FeatureTransform::Log1p)};
    const double lam[] = {0.0, 0.0};
    EXPECT_EQ(cseg::transform_row(codes, lam, row, 2), 1);
    EXPECT_EQ(row[1], -2.0);
}

TEST(FeaturePipelineValidation, RejectsBadStoredValues) {
    cseg::FeaturePipeline p;
    p.transform = {FeatureTransform::Log1p};
    p.lambdas = {0.5};  // a lambda on a log1p feature
    EXPECT_THROW(cseg::validate_feature_pipeline(p, 1, cseg::ErrorKind::InvalidText), cseg::Error);
    p.lambdas = {0.0};
    p.clip_lo = {2.0};
    p.clip_hi = {1.0};
    EXPECT_THROW(cseg::validate_feature_pipeline(p, 1, cseg::ErrorKind::InvalidText), cseg::Error);
}

}  // namespace

namespace {

// A k-means model of the wholesale customers with every pipeline step.
cseg::Model pipeline_model() {
    cseg::RowMatrix X = cseg::testdata::wholesale_customers();
    X(3, 1) = kNaN;  // one missing element to impute
    cseg::KMeansOptions o;
    o.n_init = 2;
    o.missing = cseg::MissingPolicy::Impute;
    o.impute = cseg::ImputeMethod::Median;
    o.transform = {FeatureTransform::Log1p, FeatureTransform::YeoJohnson, FeatureTransform::Sqrt,
                   FeatureTransform::None, FeatureTransform::None, FeatureTransform::None};
    o.has_clip = true;
    o.clip_lo = 0.02;
    o.clip_hi = 0.98;
    return cseg::fit_kmeans_model(cseg::RowMap(X.data(), X.rows(), X.cols()), 3, o,
                                  cseg::Interrupt());
}

TEST(PipelineModel, TextAndBinaryFormsRoundTrip) {
    const cseg::Model m = pipeline_model();
    ASSERT_EQ(m.pipeline.transform.size(), 6u);
    EXPECT_EQ(m.pipeline.clip_lo.size(), 6u);
    EXPECT_EQ(m.pipeline.deciles.size(), 54u);
    const std::string text = cseg::model_to_json(m);
    EXPECT_NE(text.find(R"("transform":["log1p","yeo-johnson","sqrt","none","none","none"])"),
              std::string::npos);
    EXPECT_NE(text.find(R"("clip":[0.02,0.98],"impute":"median"})"), std::string::npos);
    EXPECT_EQ(cseg::model_to_json(cseg::model_from_json(text)), text);
    std::vector<uint8_t> bytes(cseg::model_encoded_size(m) + 8);
    uint8_t* aligned = bytes.data() + (8 - reinterpret_cast<uintptr_t>(bytes.data()) % 8) % 8;
    cseg::model_encode(m, aligned);
    const size_t len = cseg::model_encoded_size(m);
    EXPECT_EQ(cseg::model_to_json(cseg::model_decode(aligned, len, cseg::ErrorKind::InvalidBinary)),
              text);
    const cseg::ModelView v = cseg::model_view(aligned, len);
    ASSERT_NE(v.transform, nullptr);
    EXPECT_EQ(v.transform[1], uint8_t(FeatureTransform::YeoJohnson));
    EXPECT_EQ(v.lambdas[1], m.pipeline.lambdas[1]);
    EXPECT_EQ(v.clip_hi[2], m.pipeline.clip_hi[2]);
    EXPECT_EQ(v.deciles[53], m.pipeline.deciles[53]);
    EXPECT_EQ(cseg::view_feature_name(v, 0), "");
}

TEST(PipelineModel, InconsistentTextIsRejected) {
    const std::string text = cseg::model_to_json(pipeline_model());
    std::string bad = text;
    bad.replace(bad.find(R"("transform":["log1p")"), 20, R"("transform":["sqrt",)");
    EXPECT_THROW(cseg::model_from_json(bad), cseg::Error);
    bad = text;
    bad.replace(bad.find(R"("clip_bounds":[)"), 15, R"("clip_bounds":null,"x":[)");
    EXPECT_THROW(cseg::model_from_json(bad), cseg::Error);
}

}  // namespace
