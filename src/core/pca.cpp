// Two-component PCA (pca.hpp).
#include "pca.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace cseg {

// Covariance eigen-decomposition of the centred rows; two largest axes, sign-fixed. Each
// block of kTaskBlockRows rows is a task: its column sums, then its scatter about the mean
// (kCentreRows centred rows at a time); the blocks' results are added in block order.
Projection fit_projection(ConstRowMap X, const Interrupt& interrupt, const TaskRunner& runner) {
    const Eigen::Index n = X.rows(), d = X.cols();
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "fit_projection needs rows and features");
    Projection p;
    const int32_t blocks = task_blocks(n);
    std::vector<Eigen::VectorXd> sums(static_cast<size_t>(blocks));
    runner(
        blocks,
        [&](int32_t b, const Interrupt& task_interrupt) {
            const Eigen::Index r0 = task_block_begin(b);
            sums[size_t(b)] =
                X.middleRows(r0, task_block_end(b, n) - r0).colwise().sum().transpose();
            task_interrupt.poll();
        },
        interrupt);
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
    for (const Eigen::VectorXd& s : sums) mean += s;
    mean /= static_cast<double>(n);
    std::vector<Eigen::MatrixXd> scatters(static_cast<size_t>(blocks));
    runner(
        blocks,
        [&](int32_t b, const Interrupt& task_interrupt) {
            Eigen::MatrixXd& scatter = scatters[size_t(b)];
            scatter = Eigen::MatrixXd::Zero(d, d);
            const Eigen::Index end = task_block_end(b, n);
            for (Eigen::Index r0 = task_block_begin(b); r0 < end; r0 += kCentreRows) {
                const Eigen::Index len = std::min(kCentreRows, end - r0);
                const Eigen::MatrixXd centred = X.middleRows(r0, len).rowwise() - mean.transpose();
                scatter.noalias() += centred.transpose() * centred;
                task_interrupt.poll();
            }
        },
        interrupt);
    Eigen::MatrixXd scatter = std::move(scatters[0]);
    for (size_t b = 1; b < scatters.size(); ++b) scatter += scatters[b];
    const double denom = n > 1 ? static_cast<double>(n - 1) : 1.0;
    const Eigen::MatrixXd cov = scatter / denom;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    if (eig.info() != Eigen::Success)
        throw Error(ErrorKind::DataException, "the principal components did not converge");
    const double total = cov.trace();
    p.mean.assign(mean.data(), mean.data() + d);
    p.components.assign(size_t(2 * d), 0.0);
    p.variance.assign(2, 0.0);
    p.variance_ratio.assign(2, 0.0);
    // Eigen sorts eigenvalues ascending: the last column is the first principal axis.
    for (int a = 0; a < 2 && a < d; ++a) {
        Eigen::VectorXd v = eig.eigenvectors().col(d - 1 - a);
        Eigen::Index arg = 0;
        for (Eigen::Index j = 1; j < d; ++j)
            if (std::fabs(v(j)) > std::fabs(v(arg))) arg = j;
        if (v(arg) < 0) v = -v;
        for (Eigen::Index j = 0; j < d; ++j) p.components[size_t(a * d + j)] = v(j);
        const double var = std::max(0.0, eig.eigenvalues()(d - 1 - a));
        p.variance[size_t(a)] = n > 1 ? var : 0.0;
        p.variance_ratio[size_t(a)] = total > 0 ? std::min(1.0, var / total) : 0.0;
    }
    return p;
}

// Per block a d-vector and a d x d matrix; per thread one centred chunk.
double projection_fit_bytes(int64_t n, int32_t d, int32_t threads) {
    const double blocks = task_blocks(std::max<int64_t>(n, 1));
    const double chunk = double(std::min<int64_t>(std::max<int64_t>(n, 1), kCentreRows));
    return 8.0 * double(d) * (blocks * (double(d) + 1.0) + std::max(threads, 1) * chunk);
}

// (x - mean) . component for both axes.
void project_row(const Projection& p, const double* x, double* out2) {
    const size_t d = p.mean.size();
    for (size_t a = 0; a < 2; ++a) {
        double s = 0;
        const double* c = p.components.data() + a * d;
        for (size_t j = 0; j < d; ++j) s += (x[j] - p.mean[j]) * c[j];
        out2[a] = s;
    }
}

// Shape and range checks of a stored projection.
void validate_projection(const Projection& p, int32_t dims, ErrorKind kind) {
    const auto bad = [&](const std::string& what) {
        throw Error(kind, "invalid projection: " + what);
    };
    if (p.mean.size() != size_t(dims)) bad("mean must have dims numbers");
    if (p.components.size() != size_t(2) * size_t(dims)) bad("components must be 2 x dims");
    if (p.variance.size() != 2 || p.variance_ratio.size() != 2)
        bad("variance and variance_ratio must have 2 numbers");
    for (double v : p.mean)
        if (!std::isfinite(v)) bad("mean must be finite");
    for (double v : p.components)
        if (!std::isfinite(v) || std::fabs(v) > 1 + 1e-9) bad("components must be in [-1, 1]");
    for (double v : p.variance)
        if (!std::isfinite(v) || v < 0) bad("variance must be finite and >= 0");
    for (double v : p.variance_ratio)
        if (!std::isfinite(v) || v < 0 || v > 1) bad("variance_ratio must be in [0, 1]");
}

}  // namespace cseg
