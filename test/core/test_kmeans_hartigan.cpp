// Hartigan refinement: never raises inertia, leaves Lloyd-consistent labels, finds a better
// optimum where Lloyd stops early.
#include <gtest/gtest.h>

#include "distance.hpp"
#include "kmeans_hartigan.hpp"
#include "test_random.hpp"

namespace {

// Sum of squared distances of every row to its own centre.
double inertia(const cseg::RowMatrix& X, const cseg::RowMatrix& C, const std::vector<int32_t>& l) {
    double s = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
        s += cseg::squared_distance(X.row(i).data(), C.row(l[size_t(i)]).data(), int32_t(X.cols()));
    return s;
}

}  // namespace

TEST(Hartigan, MovesAPointLloydWouldKeep) {
    // {0, 0, 0, 4} | {7}: centre 1 vs 7; x = 4 is at squared distance 9 from both, so Lloyd
    // keeps it (tie -> lowest index), but Hartigan moves it: 4/3 * 9 = 12 > 1/2 * 9 = 4.5.
    cseg::RowMatrix X(5, 1);
    X << 0, 0, 0, 4, 7;
    cseg::RowMatrix C(2, 1);
    C << 1, 7;
    std::vector<int32_t> labels = {0, 0, 0, 0, 1};
    const double before = inertia(X, C, labels);
    const int64_t moves =
        cseg::hartigan_refine(cseg::ConstRowMap(X.data(), 5, 1), C, labels, 10, cseg::Interrupt());
    EXPECT_EQ(moves, 1);
    EXPECT_EQ(labels[3], 1);
    EXPECT_DOUBLE_EQ(C(0, 0), 0.0);
    EXPECT_DOUBLE_EQ(C(1, 0), 5.5);
    EXPECT_LT(inertia(X, C, labels), before);
    EXPECT_DOUBLE_EQ(inertia(X, C, labels), 4.5);
}

TEST(Hartigan, NoMoveLeavesSolutionUntouched) {
    cseg::RowMatrix X(4, 2);
    X << 0, 0, 0, 1, 10, 10, 10, 11;
    cseg::RowMatrix C(2, 2);
    C << 0, 0.5, 10, 10.5;
    std::vector<int32_t> labels = {0, 0, 1, 1};
    const cseg::RowMatrix C0 = C;
    EXPECT_EQ(cseg::hartigan_refine(cseg::ConstRowMap(X.data(), 4, 2), C, labels, 10,
                                    cseg::Interrupt()),
              0);
    EXPECT_EQ(C, C0);
    EXPECT_EQ(labels, (std::vector<int32_t>{0, 0, 1, 1}));
}

TEST(Hartigan, NeverIncreasesInertiaAndEndsNearestCentre) {
    // Pseudo-random points with a deliberately poor labelling.
    cseg::RowMatrix X(300, 3);
    cseg::test::Uniform uniform(12345);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = uniform() * 10.0;
    std::vector<int32_t> labels(300);
    for (int i = 0; i < 300; ++i) labels[size_t(i)] = i % 4;
    cseg::RowMatrix C = cseg::RowMatrix::Zero(4, 3);
    std::vector<double> n(4, 0);
    for (int i = 0; i < 300; ++i) C.row(labels[size_t(i)]) += X.row(i), n[size_t(labels[size_t(i)])]++;
    for (int c = 0; c < 4; ++c) C.row(c) /= n[size_t(c)];
    const double before = inertia(X, C, labels);
    EXPECT_GT(cseg::hartigan_refine(cseg::ConstRowMap(X.data(), 300, 3), C, labels, 100,
                                    cseg::Interrupt()),
              0);
    EXPECT_LT(inertia(X, C, labels), before);
    // At a Hartigan optimum every point sits with its nearest centre (up to rounding).
    for (int i = 0; i < 300; ++i) {
        double best;
        cseg::nearest_centroid(X.row(i).data(), C.data(), 4, 3, &best);
        EXPECT_LE(cseg::squared_distance(X.row(i).data(), C.row(labels[size_t(i)]).data(), 3),
                  best * (1 + 1e-9) + 1e-12);
    }
}

TEST(Hartigan, Cancels) {
    cseg::RowMatrix X = cseg::RowMatrix::Random(100, 2);
    cseg::RowMatrix C = X.topRows(3);
    std::vector<int32_t> labels(100, 0);
    labels[1] = 1;
    labels[2] = 2;
    EXPECT_THROW(cseg::hartigan_refine(cseg::ConstRowMap(X.data(), 100, 2), C, labels, 10,
                                       cseg::Interrupt([] { return true; })),
                 cseg::Cancelled);
}
