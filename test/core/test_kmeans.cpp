// Unit tests of the generator, the distance kernels, the k-means seeding and k-means itself:
// Hamerly and Elkan equal plain Lloyd iteration by iteration, scikit-learn's semantics (known
// answers from test/reference/kmeans_reference.py), edge cases and cancellation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>
#include <vector>

#include "csv.hpp"
#include "distance.hpp"
#include "kmeans.hpp"
#include "kmeans_init.hpp"
#include "rng.hpp"
#include "scaler.hpp"
#include "test_rows.hpp"

namespace cseg {
namespace {

using test::view;
using test::standardised;

// Gaussian blobs around `centres` random centres in [-10, 10]^d (Box-Muller on our Rng).
RowMatrix blobs(int64_t n, int32_t d, int32_t centres, double spread, uint64_t seed) {
    Rng rng(seed);
    RowMatrix C(centres, d), X(n, d);
    for (Eigen::Index i = 0; i < C.size(); ++i) C.data()[i] = -10.0 + 20.0 * rng.next_double();
    for (int64_t i = 0; i < n; ++i) {
        const auto c = static_cast<Eigen::Index>(rng.bounded(static_cast<uint64_t>(centres)));
        for (int32_t j = 0; j < d; ++j) {
            const double u1 = 1.0 - rng.next_double(), u2 = rng.next_double();
            X(i, j) = C(c, j) +
                      spread * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        }
    }
    return X;
}

// The standard-scaled sample data sets.
RowMatrix mall() { return standardised(testdata::mall_customers()); }
RowMatrix wholesale() { return standardised(testdata::wholesale_customers()); }
RowMatrix marketing() {
    return standardised(testdata::complete_rows(testdata::marketing_campaign()));
}

// Exact equality of two doubles, bit for bit.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Exact equality of two matrices, bit for bit.
bool same_bits(const RowMatrix& a, const RowMatrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(double) * size_t(a.size())) == 0;
}

// ----------------------------------------------------------------------------------------
// Rng

// splitmix64's published first output for state 0, and xoshiro256** outputs computed by an
// independent Python transcription of the reference C code.
TEST(Rng, KnownAnswers) {
    uint64_t state = 0;
    EXPECT_EQ(splitmix64_next(state), 0xE220A8397B1DCDAFULL);
    Rng r0(0);
    EXPECT_EQ(r0.next(), 0x99EC5F36CB75F2B4ULL);
    EXPECT_EQ(r0.next(), 0xBF6E1F784956452AULL);
    EXPECT_EQ(r0.next(), 0x1A5F849D4933E6E0ULL);
    EXPECT_EQ(r0.next(), 0x6AA594F1262D2D2CULL);
    Rng r42(42);
    EXPECT_EQ(r42.next(), 0x15780B2E0C2EC716ULL);
    EXPECT_EQ(r42.next(), 0x6104D9866D113A7EULL);
    Rng r12345(12345);
    EXPECT_DOUBLE_EQ(r12345.next_double(), 0.7438081631565894);
    Rng r7(7);
    const uint64_t expected[] = {4, 4, 8, 4, 4};
    for (uint64_t e : expected) EXPECT_EQ(r7.bounded(10), e);
}

TEST(Rng, DoublesInUnitInterval) {
    Rng r(3);
    double lo = 1.0, hi = 0.0, sum = 0.0;
    for (int i = 0; i < 100000; ++i) {
        const double v = r.next_double();
        ASSERT_GE(v, 0.0);
        ASSERT_LT(v, 1.0);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
    }
    EXPECT_LT(lo, 1e-3);
    EXPECT_GT(hi, 1.0 - 1e-3);
    EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(Rng, BoundedIsInRangeAndRoughlyUniform) {
    Rng r(11);
    EXPECT_EQ(r.bounded(0), 0u);
    EXPECT_EQ(r.bounded(1), 0u);
    const uint64_t bound = 7;
    std::vector<int> counts(bound, 0);
    const int draws = 70000;
    for (int i = 0; i < draws; ++i) {
        const uint64_t v = r.bounded(bound);
        ASSERT_LT(v, bound);
        ++counts[v];
    }
    double chi2 = 0.0;
    for (int c : counts) chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
    EXPECT_LT(chi2, 30.0);  // 6 degrees of freedom; p < 1e-4 beyond 27
    // A bound just above 2^63 rejects almost half of the draws and must still terminate.
    const uint64_t big = (uint64_t{1} << 63) + 12345;
    for (int i = 0; i < 100; ++i) ASSERT_LT(r.bounded(big), big);
}

TEST(Rng, StreamsAreDistinctAndReproducible) {
    std::set<uint64_t> first;
    for (uint64_t seed = 0; seed < 4; ++seed)
        for (uint64_t stream = 0; stream < 16; ++stream)
            first.insert(Rng::for_stream(seed, stream).next());
    EXPECT_EQ(first.size(), 64u);
    Rng a = Rng::for_stream(5, 3), b = Rng::for_stream(5, 3);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
    EXPECT_NE(Rng::for_stream(0, 0).next(), Rng(0).next());
}

// ----------------------------------------------------------------------------------------
// Distances

// Every kernel path (strides 4..24, tiles of 8 and 4, full and partial row blocks) equals the
// scalar squared_distance bit for bit.
TEST(Distance, KernelsMatchScalarBitForBit) {
    Rng rng(1);
    for (int32_t d : {1, 2, 3, 5, 8, 13}) {
        for (int32_t k : {1, 3, 4, 5, 8, 9, 12, 16, 17, 24}) {
            std::vector<double> X(static_cast<size_t>(5 * d)), C(static_cast<size_t>(k * d));
            for (double& v : X) v = rng.next_double() * 100.0 - 50.0;
            for (double& v : C) v = rng.next_double() * 100.0 - 50.0;
            const int32_t stride = padded_centers(k);
            std::vector<double> ct(static_cast<size_t>(stride * d)),
                one(static_cast<size_t>(stride)), block(static_cast<size_t>(stride * kRowBlock));
            transpose_centers(C.data(), k, d, ct.data());
            for (int32_t rows : {kRowBlock, 3, 1}) {
                squared_distances_block(X.data(), rows, ct.data(), stride, d, block.data());
                for (int32_t r = 0; r < rows; ++r) {
                    squared_distances_to_centers(X.data() + r * d, ct.data(), stride, d,
                                                 one.data());
                    for (int32_t c = 0; c < k; ++c) {
                        const double s = squared_distance(X.data() + r * d, C.data() + c * d, d);
                        ASSERT_TRUE(same_bits(s, one[size_t(c)])) << "d=" << d << " k=" << k;
                        ASSERT_TRUE(same_bits(s, block[size_t(c * kRowBlock + r)]))
                            << "d=" << d << " k=" << k << " rows=" << rows;
                    }
                }
            }
            double to_point[kRowBlock];
            squared_distances_rows_to_point(X.data(), C.data(), d, to_point);
            for (int32_t r = 0; r < kRowBlock; ++r)
                ASSERT_TRUE(
                    same_bits(to_point[r], squared_distance(X.data() + r * d, C.data(), d)));
        }
    }
}

TEST(Distance, NearestCentroidTiesGoToLowestIndex) {
    const double C[] = {1, 0, -1, 0, 0, 1, 1, 0};  // centres 0 and 3 coincide
    const double x[] = {0.5, 0.0};
    double best = -1;
    EXPECT_EQ(nearest_centroid(x, C, 4, 2, &best), 0);
    EXPECT_DOUBLE_EQ(best, 0.25);
    const double y[] = {0.0, 0.0};  // all four at distance 1
    EXPECT_EQ(nearest_centroid(y, C, 4, 2, nullptr), 0);
    const double z[] = {0.0, 2.0};
    EXPECT_EQ(nearest_centroid(z, C, 4, 2, &best), 2);
    EXPECT_DOUBLE_EQ(best, 1.0);
}

// The block argmin equals a sequential strict-"<" scan, including ties and second values.
TEST(Distance, BlockNearestMatchesSequentialScan) {
    Rng rng(2);
    for (int32_t k : {1, 2, 3, 7, 8, 16, 33}) {
        for (int trial = 0; trial < 200; ++trial) {
            std::vector<double> v(static_cast<size_t>(k * kRowBlock));
            for (double& x : v) x = double(rng.bounded(4));  // many ties
            int64_t idx[kRowBlock];
            double d1[kRowBlock], d2[kRowBlock], e1[kRowBlock];
            nearest_in_block<true>(v.data(), k, idx, d1, d2);
            int64_t idx2[kRowBlock];
            nearest_in_block<false>(v.data(), k, idx2, e1, nullptr);
            for (int32_t r = 0; r < kRowBlock; ++r) {
                std::vector<double> row(static_cast<size_t>(k));
                for (int32_t c = 0; c < k; ++c) row[size_t(c)] = v[size_t(c * kRowBlock + r)];
                double s1, s2;
                const int32_t a = nearest_of(row.data(), k, &s1, &s2);
                const int32_t first =
                    int32_t(std::min_element(row.begin(), row.end()) - row.begin());
                ASSERT_EQ(a, first);
                ASSERT_EQ(idx[r], a);
                ASSERT_EQ(idx2[r], a);
                ASSERT_EQ(d1[r], s1);
                ASSERT_EQ(e1[r], s1);
                ASSERT_EQ(d2[r], s2);
                std::vector<double> sorted = row;
                std::sort(sorted.begin(), sorted.end());
                ASSERT_EQ(s2, k > 1 ? sorted[1] : HUGE_VAL);
            }
        }
    }
}

// The branch-free nearest_of gives what the branching scan gives, for ties, +inf and NaN.
TEST(Distance, NearestOfMatchesTheBranchingScan) {
    Rng rng(5);
    const double values[] = {0.0, 1.0, 1.0, 2.5, HUGE_VAL, std::nan("")};
    for (int32_t k : {1, 2, 3, 5, 9}) {
        for (int trial = 0; trial < 2000; ++trial) {
            std::vector<double> v(static_cast<size_t>(k));
            for (double& x : v) x = values[rng.bounded(6)];
            int32_t a = 0;
            double b1 = v[0], b2 = HUGE_VAL;
            for (int32_t c = 1; c < k; ++c) {
                if (v[size_t(c)] < b1) {
                    b2 = b1;
                    b1 = v[size_t(c)];
                    a = c;
                } else if (v[size_t(c)] < b2) {
                    b2 = v[size_t(c)];
                }
            }
            double s1, s2;
            ASSERT_EQ(nearest_of(v.data(), k, &s1, &s2), a);
            ASSERT_TRUE(s1 == b1 || (std::isnan(s1) && std::isnan(b1)));
            ASSERT_EQ(s2, b2);
        }
    }
}

// ----------------------------------------------------------------------------------------
// Seeding

TEST(KMeansInit, TrialsAreTwoPlusFloorLogK) {
    EXPECT_EQ(kmeans_plusplus_trials(1), 2);
    EXPECT_EQ(kmeans_plusplus_trials(2), 2);
    EXPECT_EQ(kmeans_plusplus_trials(3), 3);
    EXPECT_EQ(kmeans_plusplus_trials(7), 3);
    EXPECT_EQ(kmeans_plusplus_trials(8), 4);
    EXPECT_EQ(kmeans_plusplus_trials(20), 4);
    EXPECT_EQ(kmeans_plusplus_trials(21), 5);
}

TEST(KMeansInit, PlusPlusPicksDistinctSpreadRowsDeterministically) {
    const RowMatrix X = blobs(3000, 4, 6, 0.3, 5);
    Rng a(9), b(9);
    const auto ia = kmeans_plusplus(view(X), 6, a, Interrupt());
    const auto ib = kmeans_plusplus(view(X), 6, b, Interrupt());
    EXPECT_EQ(ia, ib);
    ASSERT_EQ(ia.size(), 6u);
    EXPECT_EQ(std::set<int64_t>(ia.begin(), ia.end()).size(), 6u);
    for (int64_t i : ia) {
        EXPECT_GE(i, 0);
        EXPECT_LT(i, X.rows());
    }
    // Well separated blobs: greedy k-means++ puts one seed in each (nearest-seed inertia
    // is then tiny compared with a single seed's).
    const RowMatrix C = gather_rows(view(X), ia);
    double pot = 0.0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        double best;
        nearest_centroid(X.row(i).data(), C.data(), 6, 4, &best);
        pot += best;
    }
    EXPECT_LT(pot, 3000 * 4 * 0.3 * 0.3 * 4.0);
}

// scikit-learn's _kmeans_plusplus written out plainly (full passes, numpy's searchsorted over
// the sequential cumulative sum, first minimum), with the core's distance and generator: the
// optimised kmeans_plusplus must pick exactly the same rows.
std::vector<int64_t> reference_plusplus(ConstRowMap X, int32_t k, Rng& rng) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    const double* x = X.data();
    std::vector<int64_t> idx(static_cast<size_t>(k));
    idx[0] = static_cast<int64_t>(rng.bounded(uint64_t(n)));
    std::vector<double> closest(static_cast<size_t>(n));
    double pot = 0.0;
    for (int64_t i = 0; i < n; ++i)
        pot += closest[size_t(i)] = cseg::squared_distance(x + idx[0] * d, x + i * d, d);
    const int32_t trials = cseg::kmeans_plusplus_trials(k);
    for (int32_t c = 1; c < k; ++c) {
        std::vector<int64_t> cand(static_cast<size_t>(trials));
        for (int32_t t = 0; t < trials; ++t) {
            const double target = rng.next_double() * pot;
            double cum = 0.0;
            int64_t i = 0;
            for (; i < n; ++i) {
                cum += closest[size_t(i)];
                if (cum >= target) break;
            }
            cand[size_t(t)] = std::min(i, n - 1);
        }
        int32_t best = 0;
        double best_pot = 0.0;
        for (int32_t t = 0; t < trials; ++t) {
            double p = 0.0;
            for (int64_t i = 0; i < n; ++i)
                p += std::min(closest[size_t(i)],
                              cseg::squared_distance(x + i * d, x + cand[size_t(t)] * d, d));
            if (t == 0 || p < best_pot) {
                best = t;
                best_pot = p;
            }
        }
        idx[size_t(c)] = cand[size_t(best)];
        pot = best_pot;
        for (int64_t i = 0; i < n; ++i)
            closest[size_t(i)] = std::min(
                closest[size_t(i)], cseg::squared_distance(x + i * d, x + idx[size_t(c)] * d, d));
    }
    return idx;
}

TEST(KMeansInit, PlusPlusIsScikitLearnsAlgorithmExactly) {
    struct Case {
        RowMatrix X;
        std::vector<int32_t> ks;
    };
    const Case cases[] = {
        {mall(), {1, 2, 5, 8, 21}},           {wholesale(), {3, 8, 30}},
        {blobs(4099, 5, 9, 0.4, 7), {9, 64}},  // n not a multiple of the row block
        {blobs(1500, 3, 4, 0.2, 3), {410}},    // 8 candidates per centre
        {blobs(1200, 2, 3, 0.1, 4), {1100}},   // 9 candidates per centre
    };
    for (const Case& cs : cases) {
        for (int32_t k : cs.ks) {
            for (uint64_t seed : {0u, 1u, 42u}) {
                SCOPED_TRACE("n " + std::to_string(cs.X.rows()) + " k " + std::to_string(k) +
                             " seed " + std::to_string(seed));
                Rng a(seed), b(seed);
                EXPECT_EQ(kmeans_plusplus(view(cs.X), k, a, Interrupt()),
                          reference_plusplus(view(cs.X), k, b));
                EXPECT_EQ(a.next(), b.next());  // the same draws were made
            }
        }
    }
}

TEST(KMeansInit, PlusPlusWithFewerDistinctRowsThanK) {
    RowMatrix X(12, 2);
    for (int i = 0; i < 12; ++i) {
        X(i, 0) = i % 2;
        X(i, 1) = 0.0;
    }
    Rng rng(1);
    const auto idx = kmeans_plusplus(view(X), 5, rng, Interrupt());
    ASSERT_EQ(idx.size(), 5u);
    std::set<double> values;
    for (int64_t i : idx) values.insert(X(i, 0));
    EXPECT_EQ(values.size(), 2u);  // both distinct points are seeds, the rest repeats
}

TEST(KMeansInit, RandomRowsAreDistinctAndCoverEveryRow) {
    Rng rng(4);
    const auto all = random_rows(10, 10, rng);
    std::vector<int64_t> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> expect(10);
    std::iota(expect.begin(), expect.end(), int64_t{0});
    EXPECT_EQ(sorted, expect);
    std::vector<int> hits(50, 0);
    for (int t = 0; t < 2000; ++t) {
        const auto some = random_rows(50, 5, rng);
        EXPECT_EQ(std::set<int64_t>(some.begin(), some.end()).size(), 5u);
        for (int64_t i : some) ++hits[size_t(i)];
    }
    for (int h : hits) EXPECT_GT(h, 100);  // expected 200 each
    Rng a(8), b(8);
    EXPECT_EQ(random_rows(1000000, 3, a), random_rows(1000000, 3, b));
}

// ----------------------------------------------------------------------------------------
// Lloyd variants: identical to plain Lloyd, iteration by iteration

// Records (labels, centres) of every iteration.
struct Trace {
    std::vector<std::vector<int32_t>> labels;
    std::vector<RowMatrix> centers;
    LloydObserver observer() {
        return [this](int32_t it, const std::vector<int32_t>& l, const RowMatrix& c) {
            EXPECT_EQ(it, int32_t(labels.size()));
            labels.push_back(l);
            centers.push_back(c);
        };
    }
};

// Runs kmeans_single with every variant from the same centres; all must agree exactly.
void expect_variants_agree(const RowMatrix& X, const RowMatrix& init, int32_t max_iter,
                           double tol_abs) {
    Trace plain;
    const KMeansRun ref = kmeans_single(view(X), init, max_iter, tol_abs, LloydVariant::Plain,
                                        Interrupt(), plain.observer());
    for (LloydVariant v : {LloydVariant::Hamerly, LloydVariant::Elkan, LloydVariant::Auto}) {
        Trace t;
        const KMeansRun run =
            kmeans_single(view(X), init, max_iter, tol_abs, v, Interrupt(), t.observer());
        ASSERT_EQ(t.labels.size(), plain.labels.size()) << "variant " << int(v);
        for (size_t it = 0; it < t.labels.size(); ++it) {
            ASSERT_EQ(t.labels[it], plain.labels[it])
                << "variant " << int(v) << " iteration " << it;
            ASSERT_TRUE(same_bits(t.centers[it], plain.centers[it]))
                << "variant " << int(v) << " iteration " << it;
        }
        EXPECT_EQ(run.n_iter, ref.n_iter);
        EXPECT_EQ(run.labels, ref.labels);
        EXPECT_TRUE(same_bits(run.centers, ref.centers));
        EXPECT_TRUE(same_bits(run.inertia, ref.inertia));
    }
}

TEST(Lloyd, VariantsEqualPlainOnSampleData) {
    for (const RowMatrix& X : {mall(), wholesale(), marketing()}) {
        for (int32_t k : {1, 2, 3, 5, 8, 13, 20}) {
            for (uint64_t seed : {0, 1}) {
                Rng rng(seed);
                const RowMatrix init =
                    gather_rows(view(X), seed == 0 ? kmeans_plusplus(view(X), k, rng, Interrupt())
                                                   : random_rows(X.rows(), k, rng));
                expect_variants_agree(X, init, 300, 0.0);  // to strict convergence
                expect_variants_agree(X, init, 300, kmeans_tolerance(view(X), 1e-4));
                expect_variants_agree(X, init, 3, 0.0);  // cut short: final assignment step
            }
        }
    }
}

TEST(Lloyd, VariantsEqualPlainOnOverlappingBlobs) {
    // Overlapping blobs: many rows near cluster borders and many iterations.
    for (int32_t d : {2, 5, 9}) {
        const RowMatrix X = blobs(4000, d, 12, 4.0, 100 + uint64_t(d));
        for (int32_t k : {4, 12, 30}) {
            Rng rng(static_cast<uint64_t>(k));
            const RowMatrix init =
                gather_rows(view(X), kmeans_plusplus(view(X), k, rng, Interrupt()));
            expect_variants_agree(X, init, 300, 0.0);
        }
    }
}

// The work a run reports (what the refinement budget is a share of): plain Lloyd computes
// every row's k distances in each pass (the iterations, plus the final assignment unless the
// convergence was strict); Hamerly's and Elkan's bounds skip most of them once the centres
// settle, so they report far fewer for the same run.
TEST(Lloyd, RunsReportTheDistancesTheyComputed) {
    const RowMatrix X = blobs(4000, 5, 12, 4.0, 105);
    const int64_t n = X.rows();
    const int32_t k = 12;
    Rng rng(12);
    const RowMatrix init = gather_rows(view(X), kmeans_plusplus(view(X), k, rng, Interrupt()));
    const KMeansRun plain =
        kmeans_single(view(X), init, 300, 0.0, LloydVariant::Plain, Interrupt());
    ASSERT_GT(plain.n_iter, 10);  // enough iterations for the bounds to pay
    EXPECT_EQ(plain.distances, int64_t{plain.n_iter} * n * k);  // strict: no final pass
    const KMeansRun short_run =
        kmeans_single(view(X), init, 3, 0.0, LloydVariant::Plain, Interrupt());
    EXPECT_EQ(short_run.distances, int64_t{3 + 1} * n * k);  // cut short: a final assignment
    for (LloydVariant v : {LloydVariant::Hamerly, LloydVariant::Elkan}) {
        const KMeansRun run = kmeans_single(view(X), init, 300, 0.0, v, Interrupt());
        EXPECT_EQ(run.n_iter, plain.n_iter);
        EXPECT_GE(run.distances, n * k) << int(v);  // the first pass computes them all
        EXPECT_LT(run.distances, plain.distances / 2) << int(v);
    }
}

TEST(Lloyd, VariantsEqualPlainWithTiesAndDuplicates) {
    // Integer grid with many duplicate rows: exact distance ties between centres everywhere.
    Rng rng(77);
    RowMatrix X(600, 2);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = double(rng.bounded(6));
    for (int32_t k : {2, 4, 7, 10}) {
        Rng r2(uint64_t(k) * 3);
        const RowMatrix init = gather_rows(view(X), random_rows(X.rows(), k, r2));
        expect_variants_agree(X, init, 300, 0.0);
    }
    // Two identical initial centres: an empty cluster in the first iteration.
    RowMatrix init(3, 2);
    init << 1, 1, 1, 1, 4, 4;
    expect_variants_agree(X, init, 300, 0.0);
}

// ----------------------------------------------------------------------------------------
// scikit-learn's semantics, from fixed initial centres

// One "single" line of test/reference/kmeans_reference.py: scikit-learn's
// KMeans(init=X[init_rows], n_init=1, algorithm="lloyd", max_iter, tol) on the scaled data.
struct SingleCase {
    const char* set;
    std::vector<int64_t> init_rows;
    int32_t max_iter;
    double tol;
    int32_t n_iter;
    double inertia;
    int64_t label_checksum;  // sum over rows of (row + 1) * label
    std::vector<int64_t> sizes;
};

// Figures printed by `/usr/bin/python3 test/reference/kmeans_reference.py` (scikit-learn 1.2.1).
const std::vector<SingleCase>& single_cases() {
    static const std::vector<SingleCase> cases = {
        {"mall", {0, 1, 2, 3, 4}, 300, 1e-4, 6, 168.75611350716673, 47761, {46, 22, 33, 40, 59}},
        {"mall", {0, 0, 1, 2, 3}, 300, 1e-4, 9, 168.77280432888756, 44463, {48, 32, 22, 58, 40}},
        {"mall",
         {10, 20, 30, 40, 50, 60, 70, 80},
         300,
         0.0,
         21,
         105.27572315061846,
         97737,
         {10, 23, 12, 31, 39, 20, 34, 31}},
        {"mall", {0, 1, 2, 3, 4}, 2, 1e-4, 2, 195.1790559949668, 52393, {39, 21, 26, 40, 74}},
        {"wholesale",
         {0, 1, 2, 3, 4, 5, 6, 7},
         300,
         1e-4,
         15,
         792.1831482157043,
         475189,
         {38, 11, 1, 44, 5, 166, 89, 86}},
        {"wholesale", {5, 6, 7}, 300, 1e-2, 11, 1655.3082300325254, 30141, {328, 78, 34}},
        {"marketing",
         {0, 1, 2, 3, 4, 5, 6, 7},
         300,
         1e-4,
         32,
         17320.389966446408,
         8303053,
         {196, 424, 295, 305, 155, 362, 226, 253}},
        {"marketing",
         {0,    100,  200,  300,  400,  500,  600,  700,  800,  900,
          1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900},
         300,
         1e-4,
         34,
         13615.013262292148,
         28354223,
         {67, 59, 132, 33, 65, 108, 1, 158, 104, 64, 140, 56, 91, 82, 140, 237, 106, 276, 72, 225}},
    };
    return cases;
}

// The scaled sample set of that name.
RowMatrix sample_set(const std::string& name) {
    if (name == "mall") return mall();
    if (name == "wholesale") return wholesale();
    return marketing();
}

TEST(Lloyd, MatchesScikitLearnFromFixedCentres) {
    for (const SingleCase& sc : single_cases()) {
        const RowMatrix X = sample_set(sc.set);
        const RowMatrix init = gather_rows(view(X), sc.init_rows);
        for (LloydVariant v : {LloydVariant::Plain, LloydVariant::Hamerly, LloydVariant::Elkan}) {
            const KMeansRun run = kmeans_single(view(X), init, sc.max_iter,
                                                kmeans_tolerance(view(X), sc.tol), v, Interrupt());
            SCOPED_TRACE(std::string(sc.set) + " k=" + std::to_string(sc.init_rows.size()) +
                         " variant " + std::to_string(int(v)));
            EXPECT_EQ(run.n_iter, sc.n_iter);
            EXPECT_NEAR(run.inertia, sc.inertia, 1e-9 * sc.inertia);
            int64_t checksum = 0;
            std::vector<int64_t> sizes(sc.init_rows.size(), 0);
            for (size_t i = 0; i < run.labels.size(); ++i) {
                checksum += int64_t(i + 1) * run.labels[i];
                ++sizes[size_t(run.labels[i])];
            }
            EXPECT_EQ(checksum, sc.label_checksum);
            EXPECT_EQ(sizes, sc.sizes);
        }
    }
}

TEST(Lloyd, ToleranceIsMeanFeatureVarianceTimesTol) {
    RowMatrix X(4, 2);
    X << 0, 0, 2, 0, 0, 4, 2, 4;  // variances 1 and 4
    EXPECT_DOUBLE_EQ(kmeans_tolerance(view(X), 1e-4), 2.5e-4);
    EXPECT_EQ(kmeans_tolerance(view(X), 0.0), 0.0);
}

// An empty cluster takes the row farthest from its (pre-update) centre, as scikit-learn's
// _relocate_empty_clusters.
TEST(Lloyd, EmptyClusterTakesFarthestRow) {
    RowMatrix X(4, 1);
    X << 0, 1, 2, 10;
    RowMatrix init(3, 1);
    init << 0, 1, 100;  // nothing is nearest to 100
    for (LloydVariant v : {LloydVariant::Plain, LloydVariant::Hamerly, LloydVariant::Elkan}) {
        Trace t;
        const KMeansRun run = kmeans_single(view(X), init, 300, 0.0, v, Interrupt(), t.observer());
        ASSERT_GE(t.centers.size(), 1u);
        EXPECT_EQ(t.labels[0], (std::vector<int32_t>{0, 1, 1, 1}));  // labels are not moved
        EXPECT_DOUBLE_EQ(t.centers[0](0, 0), 0.0);
        EXPECT_DOUBLE_EQ(t.centers[0](1, 0), 1.5);   // 1 and 2
        EXPECT_DOUBLE_EQ(t.centers[0](2, 0), 10.0);  // the farthest row (10, 81 from 1)
        EXPECT_EQ(run.labels, (std::vector<int32_t>{0, 1, 1, 2}));
        EXPECT_DOUBLE_EQ(run.inertia, 0.5);
    }
}

TEST(Lloyd, SeveralEmptyClustersTakeTheFarthestRowsInOrder) {
    RowMatrix X(6, 1);
    X << 0, 1, 2, 3, 20, 30;
    RowMatrix init(4, 1);
    init << 1, -100, 2, -200;  // clusters 1 and 3 start empty
    Trace t;
    kmeans_single(view(X), init, 1, 0.0, LloydVariant::Plain, Interrupt(), t.observer());
    // Squared distances to the old centres: 1, 0, 0, 1, 324, 784: rows 5 then 4 move.
    EXPECT_DOUBLE_EQ(t.centers[0](1, 0), 30.0);
    EXPECT_DOUBLE_EQ(t.centers[0](3, 0), 20.0);
    EXPECT_DOUBLE_EQ(t.centers[0](0, 0), 0.5);
    EXPECT_DOUBLE_EQ(t.centers[0](2, 0), 2.5);
}

// ----------------------------------------------------------------------------------------
// kmeans_run

TEST(KMeansRun, DeterministicAndSeedDependent) {
    const RowMatrix X = marketing();
    KMeansOptions o;
    o.n_init = 3;
    o.seed = 5;
    const KMeansRun a = kmeans_run(view(X), 6, o, Interrupt());
    const KMeansRun b = kmeans_run(view(X), 6, o, Interrupt());
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_TRUE(same_bits(a.centers, b.centers));
    EXPECT_TRUE(same_bits(a.inertia, b.inertia));
    EXPECT_EQ(a.n_iter, b.n_iter);
    // Every variant gives the same model.
    for (LloydVariant v : {LloydVariant::Plain, LloydVariant::Hamerly, LloydVariant::Elkan}) {
        const KMeansRun c = kmeans_run(view(X), 6, o, Interrupt(), v);
        EXPECT_EQ(c.labels, a.labels);
        EXPECT_TRUE(same_bits(c.inertia, a.inertia));
    }
    // Another seed starts elsewhere.
    o.seed = 6;
    o.n_init = 1;
    KMeansOptions o5 = o;
    o5.seed = 5;
    const KMeansRun c = kmeans_run(view(X), 6, o, Interrupt());
    const KMeansRun d = kmeans_run(view(X), 6, o5, Interrupt());
    EXPECT_FALSE(c.labels == d.labels && same_bits(c.inertia, d.inertia));
}

TEST(KMeansRun, BestRestartWins) {
    const RowMatrix X = wholesale();
    KMeansOptions o;
    o.seed = 3;
    o.n_init = 8;
    const KMeansRun best = kmeans_run(view(X), 5, o, Interrupt());
    // The same restarts one by one (restart r uses Rng::for_stream(seed, r)).
    double lowest = HUGE_VAL;
    for (int32_t r = 0; r < 8; ++r) {
        Rng rng = Rng::for_stream(3, uint64_t(r));
        const RowMatrix init = gather_rows(view(X), kmeans_plusplus(view(X), 5, rng, Interrupt()));
        const KMeansRun one =
            kmeans_single(view(X), init, o.max_iter, kmeans_tolerance(view(X), o.tol),
                          LloydVariant::Plain, Interrupt());
        lowest = std::min(lowest, one.inertia);
    }
    EXPECT_TRUE(same_bits(best.inertia, lowest));
}

TEST(KMeansRun, FinalistsAreTheRestartsNearTheBest) {
    using cseg::kmeans_finalists;
    const std::vector<double> in = {110.0, 100.0, 104.9, 105.1, 100.0, 176.0};
    // Refinement: the best (first of the ties) and every restart within 5 % of it, one per
    // minimum (4 ties with 1).
    EXPECT_EQ(kmeans_finalists(in, RefineMethod::Hartigan), (std::vector<int32_t>{1, 2}));
    // Within 1e-8 of a kept finalist: the same minimum; just beyond: another one.
    EXPECT_EQ(kmeans_finalists({100.0, 100.0 + 5e-7, 100.0 + 2e-6, 100.0 + 2.5e-6},
                               RefineMethod::Hartigan),
              (std::vector<int32_t>{0, 2}));
    // Without refinement the best alone, ties to the earliest.
    EXPECT_EQ(kmeans_finalists(in, RefineMethod::None), (std::vector<int32_t>{1}));
    EXPECT_EQ(kmeans_finalists({7.0}, RefineMethod::Hartigan), (std::vector<int32_t>{0}));
    EXPECT_TRUE(kmeans_finalists({}, RefineMethod::None).empty());
    // A zero inertia (k = n): one finalist.
    EXPECT_EQ(kmeans_finalists({0.0, 1e-300, 0.0}, RefineMethod::Hartigan),
              (std::vector<int32_t>{0}));
}

TEST(KMeansRun, RefinedWinnerIsNeverWorseThanLloyd) {
    // The best plain-Lloyd restart is always a finalist, so the refined winner is never worse.
    const RowMatrix X = wholesale();
    KMeansOptions o;
    o.n_init = 10;
    KMeansOptions plain = o;
    plain.refine = RefineMethod::None;
    for (int32_t k : {3, 5, 8}) {
        SCOPED_TRACE(k);
        const KMeansRun refined = kmeans_run(view(X), k, o, Interrupt());
        const KMeansRun lloyd = kmeans_run(view(X), k, plain, Interrupt());
        EXPECT_LE(refined.inertia, lloyd.inertia);
        // Its labels and centres agree: the inertia is that of its own labels.
        double total = 0.0;
        for (int64_t i = 0; i < X.rows(); ++i)
            total += (X.row(i) - refined.centers.row(refined.labels[size_t(i)])).squaredNorm();
        EXPECT_NEAR(total, refined.inertia, 1e-9 * refined.inertia);
    }
}

TEST(KMeansRun, RandomInitWorks) {
    const RowMatrix X = mall();
    KMeansOptions o;
    o.init = InitMethod::Random;
    const KMeansRun run = kmeans_run(view(X), 5, o, Interrupt());
    EXPECT_LT(run.inertia, 180.0);  // the k=5 optimum is about 168.25
    std::set<int32_t> used(run.labels.begin(), run.labels.end());
    EXPECT_EQ(used.size(), 5u);
}

TEST(KMeansRun, KEqualsOne) {
    const RowMatrix X = mall();
    KMeansOptions o;
    const KMeansRun run = kmeans_run(view(X), 1, o, Interrupt());
    EXPECT_EQ(run.centers.rows(), 1);
    for (Eigen::Index j = 0; j < 3; ++j) EXPECT_NEAR(run.centers(0, j), 0.0, 1e-12);
    EXPECT_NEAR(run.inertia, 200.0 * 3.0, 1e-9);  // n * (sum of unit variances)
    for (int32_t l : run.labels) EXPECT_EQ(l, 0);
}

TEST(KMeansRun, KEqualsN) {
    const RowMatrix X = blobs(40, 3, 4, 1.0, 2);
    KMeansOptions o;
    o.n_init = 2;
    for (InitMethod init : {InitMethod::KMeansPlusPlus, InitMethod::Random}) {
        o.init = init;
        const KMeansRun run = kmeans_run(view(X), 40, o, Interrupt());
        EXPECT_EQ(run.inertia, 0.0);
        EXPECT_EQ(std::set<int32_t>(run.labels.begin(), run.labels.end()).size(), 40u);
    }
}

TEST(KMeansRun, FewerDistinctPointsThanKStillGivesKCentres) {
    RowMatrix X(30, 2);
    for (Eigen::Index i = 0; i < 30; ++i) {
        X(i, 0) = double(i % 3);
        X(i, 1) = double(i % 3) * 2.0;
    }
    KMeansOptions o;
    for (InitMethod init : {InitMethod::KMeansPlusPlus, InitMethod::Random}) {
        o.init = init;
        for (LloydVariant v : {LloydVariant::Plain, LloydVariant::Hamerly, LloydVariant::Elkan}) {
            const KMeansRun run = kmeans_run(view(X), 5, o, Interrupt(), v);
            ASSERT_EQ(run.centers.rows(), 5);
            ASSERT_EQ(run.labels.size(), 30u);
            EXPECT_EQ(run.inertia, 0.0);
            EXPECT_TRUE(run.centers.allFinite());
            for (int32_t l : run.labels) {
                EXPECT_GE(l, 0);
                EXPECT_LT(l, 5);
            }
            // Every centre is one of the three distinct points.
            for (Eigen::Index c = 0; c < 5; ++c) {
                const double x = run.centers(c, 0);
                EXPECT_TRUE(x == 0.0 || x == 1.0 || x == 2.0);
                EXPECT_EQ(run.centers(c, 1), 2.0 * x);
            }
        }
    }
}

TEST(KMeansRun, RejectsBadArguments) {
    const RowMatrix X = mall();
    KMeansOptions o;
    try {
        kmeans_run(view(X), 0, o, Interrupt());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
    }
    try {
        kmeans_run(view(X), 201, o, Interrupt());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::DataException);
        EXPECT_NE(std::string(e.what()).find("200 rows"), std::string::npos) << e.what();
    }
    o.n_init = 0;
    EXPECT_THROW(kmeans_run(view(X), 3, o, Interrupt()), Error);
    o.n_init = 1;
    o.max_iter = 0;
    EXPECT_THROW(kmeans_run(view(X), 3, o, Interrupt()), Error);
    o.max_iter = 10;
    o.tol = -1.0;
    EXPECT_THROW(kmeans_run(view(X), 3, o, Interrupt()), Error);
    o.tol = std::nan("");
    EXPECT_THROW(kmeans_run(view(X), 3, o, Interrupt()), Error);
}

// Known answers: scikit-learn's KMeans(k, n_init=10, random_state=r) on the scaled data, from
// `/usr/bin/python3 test/reference/kmeans_reference.py` (scikit-learn 1.2.1; its output is kept
// in test/reference/kmeans_reference.txt). Our generator is not numpy's, so one run is compared
// with scikit-learn's own spread over random_state 0..29: with the default Hartigan refinement
// ours (seed 0) must be at least as good as random_state=0 and our median over seeds 0..14 no
// worse than scikit-learn's median; plain Lloyd (refine = none) must stay within
// scikit-learn's range (on wholesale k=3 it gives 1619.95 against random_state=0's 1614.52),
// and the refinement never loses to it with the same seed.
TEST(KMeansRun, AsGoodAsScikitLearn) {
    struct FitCase {
        const char* set;
        int32_t k;
        double at_state0, median, worst;
    };
    const FitCase cases[] = {
        {"mall", 5, 168.24758017556834, 168.24758017556834, 168.24758017556834},
        {"wholesale", 3, 1614.5183504384172, 1614.3306237981542, 1620.374983930909},
        {"wholesale", 5, 1059.1497526912442, 1058.771253257008, 1063.1692951693008},
        {"wholesale", 8, 740.3520805206423, 744.1016778707253, 755.0666953122185},
        {"marketing", 3, 21553.930102759885, 21553.947280800727, 21554.017859754524},
        {"marketing", 5, 19200.134694918976, 19199.98640723441, 19201.4526554775},
        {"marketing", 8, 17136.674039781225, 17080.338895254965, 17167.264970735647},
    };
    for (const FitCase& fc : cases) {
        SCOPED_TRACE(std::string(fc.set) + " k=" + std::to_string(fc.k));
        const RowMatrix X = sample_set(fc.set);
        std::vector<double> ours;
        for (uint64_t seed = 0; seed < 15; ++seed) {
            KMeansOptions o;  // n_init 10, k-means++, tol 1e-4, max_iter 300, refine hartigan
            o.seed = seed;
            ours.push_back(kmeans_run(view(X), fc.k, o, Interrupt()).inertia);
            o.refine = RefineMethod::None;
            const double plain = kmeans_run(view(X), fc.k, o, Interrupt()).inertia;
            EXPECT_LE(ours.back(), plain * (1 + 1e-12)) << "seed " << seed;
            if (seed == 0) {
                EXPECT_LE(plain, fc.worst * (1 + 1e-9));
            }
        }
        EXPECT_LE(ours[0], fc.at_state0 * (1 + 1e-9));
        std::vector<double> sorted = ours;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_LE(sorted[7], fc.median * (1 + 1e-9));
    }
}

// ----------------------------------------------------------------------------------------
// Cancellation

int32_t g_polls = 0;
int32_t g_cancel_after = 0;

// Reports a pending cancel from the g_cancel_after-th poll on.
bool cancel_after_n() { return ++g_polls >= g_cancel_after; }

TEST(KMeansRun, CancellationThrowsCancelled) {
    const RowMatrix X = blobs(20000, 4, 5, 1.0, 3);
    KMeansOptions o;
    o.n_init = 3;
    // A full run polls this many times; cancelling at every earlier poll must throw.
    g_polls = 0;
    g_cancel_after = INT32_MAX;
    for (LloydVariant v : {LloydVariant::Hamerly, LloydVariant::Elkan, LloydVariant::Plain}) {
        g_polls = 0;
        kmeans_run(view(X), 5, o, Interrupt(&cancel_after_n), v);
        const int32_t total = g_polls;
        ASSERT_GT(total, 20);
        for (int32_t n : {1, 2, 3, total / 3, total / 2, total - 1, total}) {
            g_polls = 0;
            g_cancel_after = n;
            EXPECT_THROW(kmeans_run(view(X), 5, o, Interrupt(&cancel_after_n), v), Cancelled)
                << "cancel at poll " << n << " of " << total;
            EXPECT_EQ(g_polls, n);  // stops at once
        }
        g_cancel_after = INT32_MAX;
    }
}

}  // namespace
}  // namespace cseg
