// The large-input plan of kmeans_run (src/core/kmeans.hpp): restarts that compete on a sample
// with only the best going on to all rows, and the refinement's work budget. Both must give
// the same model for every thread count, and on the real data sets neither may be worse in
// inertia than the plan before them (every restart on all rows, refinement unbounded) by more
// than 1e-3 relative. Timings are in bench/ (make bench), never here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "csv.hpp"
#include "kmeans.hpp"
#include "kmeans_parallel.hpp"
#include "rng.hpp"
#include "scaler.hpp"
#include "test_rows.hpp"

namespace {

using cseg::ConstRowMap;
using cseg::Interrupt;
using cseg::KMeansOptions;
using cseg::KMeansRun;
using cseg::KMeansTuning;
using cseg::LloydVariant;
using cseg::RowMatrix;

using cseg::test::expect_identical;
using cseg::test::view;

// n rows of d features around `count` overlapping centres (uniform noise, deterministic).
RowMatrix groups(int64_t n, int32_t d, int32_t count, uint64_t seed) {
    return cseg::test::uniform_groups(n, d, count, 6.0, seed);
}

// kmeans_run_tasks with a tuning, serially or on threads.
KMeansRun run(const RowMatrix& X, int32_t k, const KMeansOptions& o, const KMeansTuning& t,
              int32_t threads = 1) {
    return cseg::kmeans_run_tasks(view(X), k, o, Interrupt(), LloydVariant::Auto,
                                  cseg::threads_runner(threads), t);
}

// The plan before the budget and the sample: every restart on all rows, refinement unbounded.
KMeansTuning before_plan() {
    KMeansTuning t;
    t.compete_rows = 0;
    t.refine_share = -1.0;
    return t;
}

}  // namespace

TEST(KMeansCompete, SampleSizeRule) {
    using cseg::kmeans_compete_rows;
    EXPECT_EQ(kmeans_compete_rows(2240, 8, 10), 0);      // small tables: every row
    EXPECT_EQ(kmeans_compete_rows(65535, 8, 10), 0);     // a sample would be over a quarter
    EXPECT_EQ(kmeans_compete_rows(65536, 8, 10), 16384);
    EXPECT_EQ(kmeans_compete_rows(1000000, 8, 10), 62500);
    EXPECT_EQ(kmeans_compete_rows(1000000, 8, 1), 62500);
    EXPECT_EQ(kmeans_compete_rows(1000000, 200, 10), 102400);  // 512 rows per centre
    EXPECT_EQ(kmeans_compete_rows(300000, 200, 10), 0);
}

TEST(KMeansCompete, SampleIsSortedDistinctSeededAndUniform) {
    const std::vector<int64_t> a = cseg::kmeans_compete_sample(100000, 6250, 7);
    ASSERT_EQ(a.size(), 6250u);
    EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
    EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
    EXPECT_GE(a.front(), 0);
    EXPECT_LT(a.back(), 100000);
    EXPECT_EQ(a, cseg::kmeans_compete_sample(100000, 6250, 7));
    EXPECT_NE(a, cseg::kmeans_compete_sample(100000, 6250, 8));
    // Each tenth of the rows holds about a tenth of the sample.
    std::vector<int32_t> tenth(10, 0);
    for (int64_t i : a) ++tenth[size_t(i / 10000)];
    for (int32_t c : tenth) EXPECT_NEAR(c, 625, 100);
    EXPECT_EQ(cseg::kmeans_compete_sample(10, 10, 1).size(), 10u);
}

TEST(KMeansCompete, SameModelForAnyThreadCount) {
    const RowMatrix X = groups(70000, 4, 6, 5);  // above the sample threshold
    ASSERT_GT(cseg::kmeans_compete_rows(X.rows(), 6, 4), 0);
    for (int32_t n_init : {1, 4}) {
        KMeansOptions o;
        o.n_init = n_init;
        o.seed = 2;
        const KMeansRun serial = cseg::kmeans_run(view(X), 6, o, Interrupt());
        for (int32_t threads : {2, 3}) {
            SCOPED_TRACE("n_init " + std::to_string(n_init) + " threads " +
                         std::to_string(threads));
            expect_identical(serial, cseg::kmeans_run_parallel(view(X), 6, o, Interrupt(),
                                                               threads));
        }
    }
}

TEST(KMeansCompete, RefinementNeverWorseThanLloydAndWithinBudgetOnManyRows) {
    const RowMatrix X = groups(70000, 4, 6, 9);
    for (uint64_t seed = 0; seed < 3; ++seed) {
        KMeansOptions o;
        o.seed = seed;
        const KMeansRun refined = cseg::kmeans_run(view(X), 6, o, Interrupt());
        o.refine = cseg::RefineMethod::None;
        const KMeansRun plain = cseg::kmeans_run(view(X), 6, o, Interrupt());
        EXPECT_LE(refined.inertia, plain.inertia) << "seed " << seed;
    }
    EXPECT_EQ(cseg::refine_budget(0), cseg::kRefineFloor);
    EXPECT_EQ(cseg::refine_budget(int64_t{1} << 30),
              static_cast<int64_t>(cseg::kRefineShare * double(int64_t{1} << 30)));
}

// n rows drawn with replacement from X, each value jittered by 0.05 N(0, 1) (X is
// standard-scaled, so by 5 % of a standard deviation): a large table of the same shape, as
// bench/bench_shapes.py builds its resampled shapes.
RowMatrix resampled(const RowMatrix& X, int64_t n, uint64_t seed) {
    cseg::Rng rng(seed);
    RowMatrix Y(n, X.cols());
    for (int64_t i = 0; i < n; ++i) {
        const int64_t from = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(X.rows())));
        for (int64_t j = 0; j < X.cols(); ++j) {
            const double u1 = 1.0 - rng.next_double(), u2 = rng.next_double();
            Y(i, j) = X(from, j) +
                      0.05 * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        }
    }
    return Y;
}

// The median of three values.
double median3(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[1];
}

// The real data sets, standard-scaled as kmeans_fit scales them: the default plan against the
// plan before it. As they are (200-2216 rows; k = 3, 5, 8, seeds 0-2, each seed against the
// same seed) the default runs every restart on all rows and the budget's floor lets the
// refinement converge. Resampled with jitter to 80,000 rows, past the sample threshold
// (k = 5, 8), the default is the sample path with the budget; there one seed's local minimum
// is luck on both sides (the plan before spreads 1.9e-3 over seeds 0-2 on wholesale, k = 8),
// so the medians over seeds 0-2 are compared.
TEST(KMeansCompete, RealDataNoWorseThanEveryRestartOnAllRows) {
    const char* names[] = {"mall", "wholesale", "marketing"};
    const RowMatrix sets[] = {cseg::test::data_set(names[0]), cseg::test::data_set(names[1]),
                              cseg::test::data_set(names[2])};
    for (int s = 0; s < 3; ++s) {
        for (int32_t k : {3, 5, 8}) {
            ASSERT_EQ(cseg::kmeans_compete_rows(sets[s].rows(), k, 10), 0);
            for (uint64_t seed = 0; seed < 3; ++seed) {
                SCOPED_TRACE(std::string(names[s]) + " k=" + std::to_string(k) + " seed " +
                             std::to_string(seed));
                KMeansOptions o;
                o.seed = seed;
                EXPECT_LE(cseg::kmeans_run(view(sets[s]), k, o, Interrupt()).inertia,
                          run(sets[s], k, o, before_plan()).inertia * (1 + 1e-3));
            }
        }
        const RowMatrix big = resampled(sets[s], 80000, 17);
        for (int32_t k : {5, 8}) {
            SCOPED_TRACE(std::string(names[s]) + " resampled, k=" + std::to_string(k));
            ASSERT_GT(cseg::kmeans_compete_rows(big.rows(), k, 10), 0);
            std::vector<double> now, before;
            for (uint64_t seed = 0; seed < 3; ++seed) {
                KMeansOptions o;
                o.seed = seed;
                now.push_back(cseg::kmeans_run(view(big), k, o, Interrupt()).inertia);
                before.push_back(run(big, k, o, before_plan()).inertia);
            }
            EXPECT_LE(median3(now), median3(before) * (1 + 1e-3));
        }
    }
}
