// fit_projection against scikit-learn 1.2.1's exact PCA (n_components=2, svd_solver="full") on
// standard-scaled rows of the shipped data (figures: test/reference/pca_reference.py ->
// pca_<dataset>.csv and pca_reference.txt). Coordinates agree up to the sign of each axis, to 1e-9.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csv.hpp"
#include "pca.hpp"
#include "scaler.hpp"
#include "test_random.hpp"

namespace cseg {
namespace {

const std::string kReferenceDir = std::string(CSEG_DATA_DIR) + "/../test/reference";

// The reference coordinates: one "a,b" line per row.
std::vector<std::pair<double, double>> reference_xy(const std::string& name) {
    std::ifstream in(kReferenceDir + "/pca_" + name + ".csv");
    std::vector<std::pair<double, double>> out;
    std::string line;
    while (std::getline(in, line)) {
        const size_t comma = line.find(',');
        out.emplace_back(std::stod(line.substr(0, comma)), std::stod(line.substr(comma + 1)));
    }
    return out;
}

// Scales X (standard) and fits the projection.
Projection fit_scaled(RowMatrix& X) {
    const Scaler s = fit_scaler(ConstRowMap(X.data(), X.rows(), X.cols()), ScaleMethod::Standard);
    s.transform_rows(RowMap(X.data(), X.rows(), X.cols()));
    return fit_projection(ConstRowMap(X.data(), X.rows(), X.cols()), Interrupt());
}

// Every row's coordinates equal the reference's up to one sign per axis, to 1e-9.
void expect_matches(const std::string& name, RowMatrix X, double var0, double var1, double ratio0,
                    double ratio1) {
    const Projection p = fit_scaled(X);
    const auto ref = reference_xy(name);
    ASSERT_EQ(ref.size(), size_t(X.rows())) << name;
    EXPECT_NEAR(p.variance[0], var0, 1e-9 * var0) << name;
    EXPECT_NEAR(p.variance[1], var1, 1e-9 * var1) << name;
    EXPECT_NEAR(p.variance_ratio[0], ratio0, 1e-9) << name;
    EXPECT_NEAR(p.variance_ratio[1], ratio1, 1e-9) << name;
    double sign[2] = {0, 0};
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        double xy[2];
        project_row(p, X.row(i).data(), xy);
        const double r[2] = {ref[size_t(i)].first, ref[size_t(i)].second};
        for (int a = 0; a < 2; ++a) {
            if (sign[a] == 0 && std::fabs(r[a]) > 1e-3) sign[a] = (xy[a] * r[a] > 0) ? 1 : -1;
            EXPECT_NEAR(xy[a] * (sign[a] == 0 ? 1 : sign[a]), r[a], 1e-9 * (1 + std::fabs(r[a])))
                << name << " row " << i << " axis " << a;
        }
    }
    // The sign convention: each axis's largest-magnitude loading is positive.
    const size_t d = p.mean.size();
    for (size_t a = 0; a < 2; ++a) {
        size_t arg = 0;
        for (size_t j = 1; j < d; ++j)
            if (std::fabs(p.components[a * d + j]) > std::fabs(p.components[a * d + arg])) arg = j;
        EXPECT_GT(p.components[a * d + arg], 0) << name;
    }
}

TEST(Pca, MallMatchesScikitLearn) {
    expect_matches("mall", testdata::mall_customers(), 1.3346583077862828, 1.0042727174328361,
                   0.4426616720824505, 0.33308378461522398);
}

TEST(Pca, WholesaleMatchesScikitLearn) {
    expect_matches("wholesale", testdata::wholesale_customers(), 2.6509985696168106,
                   1.706462294994733, 0.44082892881128016, 0.28376399526616958);
}

TEST(Pca, MarketingMatchesScikitLearn) {
    expect_matches("marketing", testdata::complete_rows(testdata::marketing_campaign()),
                   6.0908237385670798, 1.9521994466740842, 0.38050469824362781,
                   0.12195740564031736);
}

// The same rows in another order give the same axes (signs included).
TEST(Pca, IndependentOfRowOrder) {
    RowMatrix X = testdata::mall_customers();
    RowMatrix Y = X.colwise().reverse();
    const Projection a = fit_scaled(X), b = fit_scaled(Y);
    for (size_t j = 0; j < a.components.size(); ++j)
        EXPECT_NEAR(a.components[j], b.components[j], 1e-12);
}

// Blocks of rows on threads: 1, 2 and 3 threads give the same bits over several blocks (and a
// last partial one), and the variances agree with a long double covariance to 1e-12.
TEST(Pca, TheSameOnAnyThreadsAcrossBlocks) {
    const int64_t n = 3 * kTaskBlockRows + 4321;
    const int d = 5;
    RowMatrix X(n, d);
    test::Uniform uniform(11);
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j)
            X(i, j) = (uniform() - 0.5) * (j + 1) + (j == 2 ? X(i, 0) : 0.0);
    const ConstRowMap view(X.data(), n, d);
    const Projection one = fit_projection(view, Interrupt());
    for (int threads : {2, 3}) {
        const Projection p = fit_projection(view, Interrupt(), threads_runner(threads));
        EXPECT_EQ(p.mean, one.mean) << threads << " threads";
        EXPECT_EQ(p.components, one.components) << threads << " threads";
        EXPECT_EQ(p.variance, one.variance) << threads << " threads";
    }
    std::vector<long double> mean(d, 0.0L), cov(d * d, 0.0L);
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j) mean[size_t(j)] += X(i, j);
    for (auto& m : mean) m /= n;
    for (int64_t i = 0; i < n; ++i)
        for (int a = 0; a < d; ++a)
            for (int b = 0; b < d; ++b)
                cov[size_t(a * d + b)] += (X(i, a) - mean[size_t(a)]) * (X(i, b) - mean[size_t(b)]);
    for (int a = 0; a < 2; ++a) {  // v' C v for each axis is its variance
        long double q = 0.0L;
        for (int i = 0; i < d; ++i)
            for (int j = 0; j < d; ++j)
                q += one.components[size_t(a * d + i)] * cov[size_t(i * d + j)] *
                     one.components[size_t(a * d + j)];
        EXPECT_NEAR(double(q / (n - 1)), one.variance[size_t(a)], 1e-12 * one.variance[0]);
    }
}

// One feature: the first axis is that feature, the second is all zeros; one row: no variance.
TEST(Pca, DegenerateShapes) {
    RowMatrix X(4, 1);
    X << 1, 2, 3, 4;
    const Projection p = fit_projection(ConstRowMap(X.data(), 4, 1), Interrupt());
    EXPECT_DOUBLE_EQ(p.components[0], 1.0);
    EXPECT_DOUBLE_EQ(p.components[1], 0.0);
    EXPECT_DOUBLE_EQ(p.variance_ratio[0], 1.0);
    double xy[2];
    const double row[1] = {4};
    project_row(p, row, xy);
    EXPECT_DOUBLE_EQ(xy[0], 1.5);
    EXPECT_DOUBLE_EQ(xy[1], 0.0);
    RowMatrix one(1, 3);
    one << 1, 2, 3;
    const Projection q = fit_projection(ConstRowMap(one.data(), 1, 3), Interrupt());
    EXPECT_EQ(q.variance[0], 0.0);
    EXPECT_NO_THROW(validate_projection(q, 3, ErrorKind::Internal));
    EXPECT_THROW(validate_projection(q, 2, ErrorKind::Internal), Error);
}

// The axes and variances of the dense solver on the covariance of X (the reference for the
// routes that avoid it): columns 0 and 1 the axes, sign-fixed as fit_projection does.
std::pair<Eigen::MatrixXd, Eigen::Vector2d> dense_reference(const RowMatrix& X) {
    const Eigen::MatrixXd centred = X.rowwise() - X.colwise().mean();
    const Eigen::MatrixXd cov = centred.transpose() * centred / double(X.rows() - 1);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    const Eigen::Index d = X.cols();
    Eigen::MatrixXd axes(d, 2);
    Eigen::Vector2d values;
    for (int a = 0; a < 2; ++a) {
        Eigen::VectorXd v = eig.eigenvectors().col(d - 1 - a);
        Eigen::Index arg;
        v.cwiseAbs().maxCoeff(&arg);
        axes.col(a) = v(arg) < 0 ? Eigen::VectorXd(-v) : v;
        values(a) = eig.eigenvalues()(d - 1 - a);
    }
    return {axes, values};
}

// Rows with two strong directions (variances about 9 and 4) over uniform noise.
RowMatrix two_directions(int64_t n, int d, uint64_t seed) {
    test::Uniform uniform(seed);
    RowMatrix X(n, d);
    for (int64_t i = 0; i < n; ++i) {
        const double s = 6 * (uniform() - 0.5), t = 4 * (uniform() - 0.5);
        for (int j = 0; j < d; ++j)
            X(i, j) =
                uniform() - 0.5 + s * std::cos(0.01 * j) * 0.2 + t * std::sin(0.013 * j) * 0.2;
    }
    return X;
}

// The Gram route (fewer rows than features) and the interruptible tridiagonal route (more
// than kDenseEigenDims) give the dense solver's axes and variances, to 1e-9.
TEST(Pca, WideRoutesMatchTheDenseSolver) {
    struct Shape {
        int64_t n;
        int d;
    };
    for (const Shape shape : {Shape{40, 700}, Shape{530, 540}, Shape{1500, 600}}) {
        const RowMatrix X = two_directions(shape.n, shape.d, 7 + shape.n);
        const Projection p = fit_projection(ConstRowMap(X.data(), X.rows(), X.cols()), Interrupt());
        const auto [axes, values] = dense_reference(X);
        for (int a = 0; a < 2; ++a) {
            EXPECT_NEAR(p.variance[size_t(a)], values(a), 1e-9 * values(0))
                << shape.n << " x " << shape.d << " axis " << a;
            for (int j = 0; j < shape.d; ++j)
                ASSERT_NEAR(p.components[size_t(a * shape.d + j)], axes(j, a), 1e-9)
                    << shape.n << " x " << shape.d << " axis " << a << " loading " << j;
        }
        EXPECT_NO_THROW(validate_projection(p, shape.d, ErrorKind::Internal));
    }
}

// Few rows of many features: one row, or rows on a line, still give two orthonormal axes.
TEST(Pca, WideRankDeficient) {
    RowMatrix X = RowMatrix::Zero(3, 600);
    for (int j = 0; j < 600; ++j) X(1, j) = 2.0 * (j % 3 == 0);
    X.row(2) = 2 * X.row(1);
    for (int64_t n : {int64_t{1}, int64_t{3}}) {
        const Projection p = fit_projection(ConstRowMap(X.data(), n, 600), Interrupt());
        EXPECT_NO_THROW(validate_projection(p, 600, ErrorKind::Internal));
        const Eigen::Map<const Eigen::VectorXd> a0(p.components.data(), 600),
            a1(p.components.data() + 600, 600);
        EXPECT_NEAR(a0.norm(), 1.0, 1e-12) << n;
        EXPECT_NEAR(a1.norm(), 1.0, 1e-12) << n;
        EXPECT_NEAR(a0.dot(a1), 0.0, 1e-12) << n;
        EXPECT_EQ(p.variance[1], 0.0) << n;
    }
}

int g_polls = 0, g_cancel_at = 0;
// An interrupt that counts its polls and fires at poll g_cancel_at (never when 0).
bool counting_pending() { return ++g_polls == g_cancel_at; }

// The tridiagonal route polls once per column: a cancel in the middle of the reduction stops
// it (Eigen's dense solver on 10,000 features ran for minutes without a poll).
TEST(Pca, TridiagonalRoutePollsPerColumn) {
    const RowMatrix X = two_directions(700, 600, 3);
    const ConstRowMap view(X.data(), X.rows(), X.cols());
    g_polls = 0;
    g_cancel_at = 0;
    fit_projection(view, Interrupt(counting_pending));
    const int polls = g_polls;
    EXPECT_GT(polls, 600 - 2);
    g_polls = 0;
    g_cancel_at = polls - 300;
    EXPECT_THROW(fit_projection(view, Interrupt(counting_pending)), Cancelled);
    EXPECT_EQ(g_polls, polls - 300);
}

// The bound follows the route: a few rows of 10,000 features need their Gram matrix, not a
// 10,000 x 10,000 covariance; many rows of 2,000 features need the covariance and its solve.
TEST(Pca, MemoryBoundFollowsTheRoute) {
    EXPECT_LT(projection_fit_bytes(50, 10000, 2), 8.0 * 50 * 10000 * 1.1);
    EXPECT_GE(projection_fit_bytes(100000, 2000, 1), 8.0 * 2000 * 2000 * 2);
    EXPECT_GE(projection_fit_bytes(1000, 500, 1), 8.0 * 500 * 500 * 2);
}

}  // namespace
}  // namespace cseg
