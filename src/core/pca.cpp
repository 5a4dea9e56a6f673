// Two-component PCA (pca.hpp).
#include "pca.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace cseg {

namespace {

// The two largest eigenvalues (descending) of a symmetric matrix and their unit eigenvectors
// (columns); fewer when the matrix is smaller than 2 x 2.
struct TopEigen {
    std::vector<double> values;
    Eigen::MatrixXd vectors;
};

// Rows whose centred copies and scatter a task adds at a time: kCentreRows, fewer when d is
// large, so that a poll comes every ~2^26 multiply-adds (the same kCentreRows up to d = 90).
int64_t centre_rows(int64_t d) {
    const int64_t by_work = (int64_t{1} << 26) / std::max<int64_t>(d * d, 1);
    return std::clamp<int64_t>(by_work, 16, kCentreRows);
}

// Solves (T - shift I) y = x in place for the tridiagonal T (diagonal a, off-diagonal b):
// Gaussian elimination with partial pivoting (LAPACK's dgttrf/dgttrs); a zero pivot is
// replaced by `tiny`, as inverse iteration does (Wilkinson).
void solve_shifted_tridiagonal(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double shift,
                               double tiny, Eigen::VectorXd& x) {
    const Eigen::Index m = a.size();
    Eigen::VectorXd d = a.array() - shift, dl = b, du = b, du2 = Eigen::VectorXd::Zero(m);
    std::vector<bool> swapped(size_t(m), false);
    for (Eigen::Index i = 0; i + 1 < m; ++i) {
        if (std::fabs(d(i)) >= std::fabs(dl(i))) {
            if (d(i) == 0) d(i) = tiny;
            const double f = dl(i) / d(i);
            dl(i) = f;
            d(i + 1) -= f * du(i);
        } else {
            const double f = d(i) / dl(i);
            d(i) = dl(i);
            dl(i) = f;
            const double t = du(i);
            du(i) = d(i + 1);
            d(i + 1) = t - f * d(i + 1);
            if (i + 2 < m) {
                du2(i) = du(i + 1);
                du(i + 1) = -f * du(i + 1);
            }
            swapped[size_t(i)] = true;
        }
    }
    if (d(m - 1) == 0) d(m - 1) = tiny;
    for (Eigen::Index i = 0; i + 1 < m; ++i) {
        if (!swapped[size_t(i)]) {
            x(i + 1) -= dl(i) * x(i);
        } else {
            const double t = x(i);
            x(i) = x(i + 1);
            x(i + 1) = t - dl(i) * x(i);
        }
    }
    for (Eigen::Index i = m - 1; i >= 0; --i) {
        double r = x(i);
        if (i + 1 < m) r -= du(i) * x(i + 1);
        if (i + 2 < m) r -= du2(i) * x(i + 2);
        x(i) = r / d(i);
    }
}

// Top two eigenpairs of the symmetric A (lower triangle read; A is overwritten). Up to
// kDenseEigenDims: Eigen's SelfAdjointEigenSolver. Beyond, where that solver would run for
// minutes without a poll: Householder tridiagonalisation polling per column, the eigenvalues
// of the tridiagonal matrix, its two eigenvectors by inverse iteration (the second kept
// orthogonal to the first) and the reflectors applied back (Golub & Van Loan, 8.3 and 8.2.2).
TopEigen top_two_eigen(Eigen::MatrixXd& A, const Interrupt& interrupt) {
    const Eigen::Index m = A.rows();
    const Eigen::Index pairs = std::min<Eigen::Index>(2, m);
    TopEigen out;
    out.vectors.resize(m, pairs);
    if (m <= kDenseEigenDims) {
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(A);
        if (eig.info() != Eigen::Success)
            throw Error(ErrorKind::DataException, "the principal components did not converge");
        // Eigen sorts eigenvalues ascending: the last column is the first principal axis.
        for (Eigen::Index a = 0; a < pairs; ++a) {
            out.values.push_back(eig.eigenvalues()(m - 1 - a));
            out.vectors.col(a) = eig.eigenvectors().col(m - 1 - a);
        }
        return out;
    }
    Eigen::VectorXd taus = Eigen::VectorXd::Zero(m), sub(m - 1);
    for (Eigen::Index k = 0; k + 2 < m; ++k) {
        const Eigen::Index r = m - k - 1;
        double tau = 0, beta = 0;
        A.col(k).tail(r).makeHouseholderInPlace(tau, beta);
        Eigen::VectorXd v(r);
        v(0) = 1;
        v.tail(r - 1) = A.col(k).tail(r - 1);
        auto trailing = A.bottomRightCorner(r, r);
        const Eigen::VectorXd p = tau * (trailing.selfadjointView<Eigen::Lower>() * v);
        const Eigen::VectorXd w = p - (0.5 * tau * p.dot(v)) * v;
        trailing.selfadjointView<Eigen::Lower>().rankUpdate(v, w, -1);
        taus(k) = tau;
        sub(k) = beta;
        interrupt.poll();
    }
    sub(m - 2) = A(m - 1, m - 2);
    const Eigen::VectorXd diag = A.diagonal();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> values;
    values.computeFromTridiagonal(diag, sub, Eigen::EigenvaluesOnly);
    if (values.info() != Eigen::Success)
        throw Error(ErrorKind::DataException, "the principal components did not converge");
    const double norm = std::max(diag.cwiseAbs().maxCoeff(), sub.cwiseAbs().maxCoeff());
    const double tiny = std::max(norm, 1e-300) * std::numeric_limits<double>::epsilon();
    Eigen::MatrixXd y(m, pairs);
    for (Eigen::Index a = 0; a < pairs; ++a) {
        const double lambda = values.eigenvalues()(m - 1 - a);
        out.values.push_back(lambda);
        // A fixed start with every component non-zero, then three solves.
        Eigen::VectorXd x(m);
        for (Eigen::Index i = 0; i < m; ++i) x(i) = 1.0 + 0.5 * std::sin(double(i) + 1.0 + a);
        for (int it = 0; it < 3; ++it) {
            solve_shifted_tridiagonal(diag, sub, lambda, tiny, x);
            for (Eigen::Index b = 0; b < a; ++b) x -= x.dot(y.col(b)) * y.col(b);
            x /= x.norm();
        }
        y.col(a) = x;
        interrupt.poll();
    }
    for (Eigen::Index k = m - 3; k >= 0; --k) {
        const Eigen::Index r = m - k - 1;
        for (Eigen::Index a = 0; a < pairs; ++a) {
            auto z = y.col(a).tail(r);
            const double dot = z(0) + A.col(k).tail(r - 1).dot(z.tail(r - 1));
            z(0) -= taus(k) * dot;
            z.tail(r - 1) -= (taus(k) * dot) * A.col(k).tail(r - 1);
        }
    }
    for (Eigen::Index a = 0; a < pairs; ++a) out.vectors.col(a) = y.col(a) / y.col(a).norm();
    return out;
}

// The column sums of X, per block of kTaskBlockRows rows (added in block order), over n.
Eigen::VectorXd column_mean(ConstRowMap X, const Interrupt& interrupt, const TaskRunner& runner) {
    const Eigen::Index n = X.rows();
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
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(X.cols());
    for (const Eigen::VectorXd& s : sums) mean += s;
    return mean / static_cast<double>(n);
}

// The covariance matrix of X about `mean` (divisor n - 1; 1 for one row). Each block of
// kTaskBlockRows rows is a task: its scatter, centre_rows(d) centred rows at a time; the
// blocks' scatters are added in block order.
Eigen::MatrixXd covariance(ConstRowMap X, const Eigen::VectorXd& mean, const Interrupt& interrupt,
                           const TaskRunner& runner) {
    const Eigen::Index n = X.rows(), d = X.cols();
    const Eigen::Index chunk = centre_rows(d);
    std::vector<Eigen::MatrixXd> scatters(static_cast<size_t>(task_blocks(n)));
    runner(
        task_blocks(n),
        [&](int32_t b, const Interrupt& task_interrupt) {
            Eigen::MatrixXd& scatter = scatters[size_t(b)];
            scatter = Eigen::MatrixXd::Zero(d, d);
            const Eigen::Index end = task_block_end(b, n);
            for (Eigen::Index r0 = task_block_begin(b); r0 < end; r0 += chunk) {
                const Eigen::Index len = std::min(chunk, end - r0);
                const Eigen::MatrixXd centred = X.middleRows(r0, len).rowwise() - mean.transpose();
                scatter.noalias() += centred.transpose() * centred;
                task_interrupt.poll();
            }
        },
        interrupt);
    Eigen::MatrixXd cov = std::move(scatters[0]);
    for (size_t b = 1; b < scatters.size(); ++b) {
        cov += scatters[b];
        scatters[b] = Eigen::MatrixXd();
    }
    cov /= n > 1 ? static_cast<double>(n - 1) : 1.0;
    return cov;
}

// The principal axes from the n x n Gram matrix of the centred rows, for n < d: its
// eigenvectors u give the axes Xc' u / |Xc' u| with the same eigenvalues (divisor n - 1). An
// axis of no variance (rank below 2) is the first coordinate axis orthogonal to the axes
// before it. Throws Cancelled.
TopEigen gram_axes(ConstRowMap X, const Eigen::VectorXd& mean, const Interrupt& interrupt) {
    const Eigen::Index n = X.rows(), d = X.cols();
    const Eigen::MatrixXd centred = X.rowwise() - mean.transpose();
    Eigen::MatrixXd gram(n, n);
    const Eigen::Index panel = std::max<Eigen::Index>(1, (int64_t{1} << 26) / (n * d));
    for (Eigen::Index r0 = 0; r0 < n; r0 += panel) {
        const Eigen::Index len = std::min(panel, n - r0);
        gram.middleRows(r0, len).noalias() = centred.middleRows(r0, len) * centred.transpose();
        interrupt.poll();
    }
    gram /= n > 1 ? static_cast<double>(n - 1) : 1.0;
    const TopEigen small = top_two_eigen(gram, interrupt);
    TopEigen out;
    out.vectors = Eigen::MatrixXd::Zero(d, 2);
    for (Eigen::Index a = 0; a < 2; ++a) {
        const double lambda = a < Eigen::Index(small.values.size()) ? small.values[size_t(a)] : 0.0;
        Eigen::VectorXd v = Eigen::VectorXd::Zero(d);
        if (lambda > 0 && (a == 0 || lambda > 1e-12 * out.values[0]))
            v = centred.transpose() * small.vectors.col(a);
        const double length = v.norm();
        if (length > 0 && std::isfinite(length)) {
            out.values.push_back(lambda);
            out.vectors.col(a) = v / length;
            continue;
        }
        out.values.push_back(0.0);
        for (Eigen::Index j = 0; j < d; ++j) {
            Eigen::VectorXd e = Eigen::VectorXd::Unit(d, j);
            for (Eigen::Index b = 0; b < a; ++b)
                e -= e.dot(out.vectors.col(b)) * out.vectors.col(b);
            if (e.norm() > 0.5) {
                out.vectors.col(a) = e / e.norm();
                break;
            }
        }
    }
    return out;
}

// The rows' projection takes the Gram route (n x n) rather than the covariance (d x d).
bool gram_route(int64_t n, int64_t d) { return d > kDenseEigenDims && n < d; }

}  // namespace

// Eigen-decomposition of the covariance (or, for few rows of many features, of the Gram
// matrix) of the centred rows; two largest axes, sign-fixed.
Projection fit_projection(ConstRowMap X, const Interrupt& interrupt, const TaskRunner& runner) {
    const Eigen::Index n = X.rows(), d = X.cols();
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "fit_projection needs rows and features");
    Projection p;
    const Eigen::VectorXd mean = column_mean(X, interrupt, runner);
    double total = 0;
    TopEigen axes;
    if (gram_route(n, d)) {
        for (Eigen::Index j = 0; j < d; ++j) total += (X.col(j).array() - mean(j)).square().sum();
        total /= n > 1 ? static_cast<double>(n - 1) : 1.0;
        axes = gram_axes(X, mean, interrupt);
    } else {
        Eigen::MatrixXd cov = covariance(X, mean, interrupt, runner);
        total = cov.trace();
        interrupt.poll();
        axes = top_two_eigen(cov, interrupt);
    }
    p.mean.assign(mean.data(), mean.data() + d);
    p.components.assign(size_t(2 * d), 0.0);
    p.variance.assign(2, 0.0);
    p.variance_ratio.assign(2, 0.0);
    for (int a = 0; a < 2 && a < axes.vectors.cols(); ++a) {
        Eigen::VectorXd v = axes.vectors.col(a);
        Eigen::Index arg = 0;
        for (Eigen::Index j = 1; j < d; ++j)
            if (std::fabs(v(j)) > std::fabs(v(arg))) arg = j;
        if (v(arg) < 0) v = -v;
        for (Eigen::Index j = 0; j < d; ++j) p.components[size_t(a * d + j)] = v(j);
        const double var = std::max(0.0, axes.values[size_t(a)]);
        p.variance[size_t(a)] = n > 1 ? var : 0.0;
        p.variance_ratio[size_t(a)] = total > 0 ? std::min(1.0, var / total) : 0.0;
    }
    return p;
}

// At the scatter: per block a d-vector and a d x d matrix, per thread one centred chunk; at the
// solve: the covariance and (dense solver) its eigenvectors. The Gram route: the centred rows,
// the n x n Gram matrix and (dense solver) its eigenvectors.
double projection_fit_bytes(int64_t n, int32_t d, int32_t threads) {
    const double rows = double(std::max<int64_t>(n, 1)), dims = double(d);
    if (gram_route(n, d)) {
        const double solve = rows <= kDenseEigenDims ? 2 * rows * rows : rows * rows + 8 * rows;
        return 8.0 * (rows * dims + solve + 4 * dims);
    }
    const double blocks = task_blocks(std::max<int64_t>(n, 1));
    const double chunk = double(std::min<int64_t>(std::max<int64_t>(n, 1), centre_rows(d)));
    const double scatter = dims * (blocks * (dims + 1.0) + std::max(threads, 1) * chunk);
    const double solve = d <= kDenseEigenDims ? 2 * dims * dims : dims * dims + 8 * dims;
    return 8.0 * std::max(scatter, solve + dims);
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
