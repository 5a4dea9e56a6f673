// Gaussian mixtures by EM, as scikit-learn's GaussianMixture (sklearn/mixture/_gaussian_mixture.py
// and _base.py, read for the semantics; written afresh). Differences on purpose: the M-step
// forms every covariance from centred rows (scikit-learn expands the tied and diagonal ones as
// E[x^2] - mean^2, which cancels), a covariance that is not positive definite is regularised
// instead of raising, and passes over the rows run in blocks.
#include "gmm.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "distance.hpp"
#include "feature_pipeline.hpp"
#include "kmeans.hpp"
#include "kmeans_memory.hpp"
#include "model.hpp"
#include "pca.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

constexpr double kLog2Pi = 1.8378770664093454835606594728112;  // log(2 pi)

// What one block of rows contributes to the M-step and the likelihood.
struct BlockSums {
    double log_lik = 0.0;   // sum over the block's rows of log p(x)
    Eigen::VectorXd nk;     // k: sum of responsibilities
    RowMatrix rx;           // k x d: sum of resp * x
    RowMatrix scatter;      // full/tied: k*d x d (k blocks of d x d); diag/spherical: k x d
};

// A view of rows [begin, end) of X.
ConstRowMap block_rows(ConstRowMap X, int64_t begin, int64_t end) {
    return ConstRowMap(X.data() + begin * X.cols(), end - begin, X.cols());
}

// Rows per block of a pass over the rows (one runner task each; sums are formed per block
// and added in block order): fixed numbers, so no result depends on the threads.
// kMinBlockRows keeps a block's scratch near the second-level cache and spreads the 100k
// rows of a typical table over a few threads evenly; wider rows take longer blocks (up to
// kTaskBlockRows), since every block's sums are kept until they are added and a full
// covariance's are k*d*d doubles: at most about d*d / kBlockRowsPerSquare doubles of sums a
// row.
constexpr int64_t kMinBlockRows = 8192;
constexpr int64_t kBlockRowsPerSquare = 4;
// The rows of a block for rows of d features, by the rule above.
int64_t block_rows_for(int64_t d) {
    return std::min(kTaskBlockRows, std::max(kMinBlockRows, kBlockRowsPerSquare * d * d));
}

// How X's rows split into blocks (block_rows_for(d) rows, the last shorter).
RowBlocks blocks_of(ConstRowMap X) { return RowBlocks{X.rows(), block_rows_for(X.cols())}; }

// The weighted log-probabilities of rows Xb (B x d) under every component into W (B x k).
void weighted_log_prob_block(const GmmParams& p, ConstRowMap Xb, RowMatrix& W) {
    const int32_t d = p.dims, k = p.k;
    const Eigen::Index B = Xb.rows();
    W.resize(B, k);
    RowMatrix Y(B, d);
    for (int32_t c = 0; c < k; ++c) {
        const Eigen::Map<const Eigen::RowVectorXd> mu(p.means.data() + size_t(c) * d, d);
        Eigen::VectorXd sq;
        switch (p.covariance) {
            case CovarianceType::Full:
            case CovarianceType::Tied: {
                const size_t off = p.covariance == CovarianceType::Full ? size_t(c) * d * d : 0;
                const ConstRowMap P(p.precisions_chol.data() + off, d, d);
                Y.noalias() = Xb * P;
                const Eigen::RowVectorXd muP = mu * P;
                Y.rowwise() -= muP;
                sq = Y.rowwise().squaredNorm();
                break;
            }
            case CovarianceType::Diag: {
                const Eigen::Map<const Eigen::RowVectorXd> pc(
                    p.precisions_chol.data() + size_t(c) * d, d);
                Y = (Xb.rowwise() - mu).array().rowwise() * pc.array();
                sq = Y.rowwise().squaredNorm();
                break;
            }
            case CovarianceType::Spherical: {
                const double pc = p.precisions_chol[size_t(c)];
                sq = (Xb.rowwise() - mu).rowwise().squaredNorm() * (pc * pc);
                break;
            }
        }
        const double constant = std::log(p.weights[size_t(c)]) + p.log_det[size_t(c)] -
                                0.5 * d * kLog2Pi;
        W.col(c) = (-0.5 * sq.array() + constant).matrix();
    }
}

// Turns the weighted log-probabilities of a block (B x k) into responsibilities in place and
// returns the sum of the rows' log p(x) (row order): per row the maximum m is subtracted, the
// exponentials of the whole block are taken at once (Eigen's vectorised exp, within an ulp or
// two of std::exp), and with s their row sum, log p(x) = m + log s and the responsibilities
// are the exponentials over s (k exponentials a row, where exp(v - log p(x)) takes 2k). A row
// whose every component is -inf (unreachably far in every direction) gets equal
// responsibilities.
double normalise_block(RowMatrix& W) {
    const int32_t k = static_cast<int32_t>(W.cols());
    const Eigen::VectorXd m = W.rowwise().maxCoeff();
    W.array().colwise() -= m.array();
    W.array() = W.array().exp();
    double total = 0.0;
    for (Eigen::Index i = 0; i < W.rows(); ++i) {
        if (std::isfinite(m[i])) {
            const double s = W.row(i).sum();
            W.row(i) /= s;
            total += m[i] + std::log(s);
        } else {
            W.row(i).setConstant(1.0 / k);
            total += m[i];
        }
    }
    return total;
}

// nk and sum resp * x of a block (R: B x k responsibilities of the rows Xb).
void first_moments(ConstRowMap Xb, const Eigen::Ref<const RowMatrix>& R, BlockSums& s) {
    s.nk = R.colwise().sum().transpose();
    s.rx.noalias() = R.transpose() * Xb;
}

// The centred second moments of a block: per component sum resp * (x - mean)(x - mean)^T
// (full, tied) or sum resp * (x - mean)^2 per feature (diag, spherical).
void scatter_block(const GmmParams& p, ConstRowMap Xb, const Eigen::Ref<const RowMatrix>& R,
                   BlockSums& s) {
    const int32_t d = p.dims, k = p.k;
    const bool matrix = p.covariance == CovarianceType::Full || p.covariance == CovarianceType::Tied;
    s.scatter = matrix ? RowMatrix::Zero(int64_t(k) * d, d) : RowMatrix::Zero(k, d);
    RowMatrix D(Xb.rows(), d);
    for (int32_t c = 0; c < k; ++c) {
        const Eigen::Map<const Eigen::RowVectorXd> mu(p.means.data() + size_t(c) * d, d);
        D = Xb.rowwise() - mu;
        if (matrix) {
            const RowMatrix Dw = D.array().colwise() * R.col(c).array();
            s.scatter.middleRows(int64_t(c) * d, d).noalias() = Dw.transpose() * D;
        } else {
            s.scatter.row(c) = (D.array().square().colwise() * R.col(c).array()).colwise().sum();
        }
    }
}

// Adds the blocks' sums in block order into the first.
BlockSums add_in_order(std::vector<BlockSums>& parts) {
    BlockSums total = std::move(parts[0]);
    for (size_t b = 1; b < parts.size(); ++b) {
        total.log_lik += parts[b].log_lik;
        if (parts[b].nk.size() > 0) {
            total.nk += parts[b].nk;
            total.rx += parts[b].rx;
        }
        if (parts[b].scatter.size() > 0) total.scatter += parts[b].scatter;
    }
    return total;
}

// body(lo, hi, sums) over every row block of X (in parallel through runner, polling the
// interrupt per block), then the blocks' sums added in block order.
template <class Body>
BlockSums sum_row_blocks(ConstRowMap X, const Interrupt& interrupt, const TaskRunner& runner,
                         const Body& body) {
    const RowBlocks bl = blocks_of(X);
    std::vector<BlockSums> parts(size_t(bl.count()));
    runner(
        bl.count(),
        [&](int32_t b, const Interrupt& intr) {
            intr.poll();
            body(bl.begin(b), bl.end(b), parts[size_t(b)]);
        },
        interrupt);
    return add_in_order(parts);
}

// The EM state of one restart: the parameters and the n x k responsibilities.
struct EmState {
    GmmParams params;
    RowMatrix resp;  // n x k
    int32_t regularised = 0;
};

// M-step (scikit-learn's _m_step with _estimate_gaussian_parameters): weights, means and
// covariances from the responsibilities; first moments already summed in `moments`.
void m_step(ConstRowMap X, EmState& st, const BlockSums& moments, double reg,
            const Interrupt& interrupt, const TaskRunner& runner) {
    GmmParams& p = st.params;
    const int32_t k = p.k, d = p.dims;
    const Eigen::VectorXd nk = moments.nk.array() + 10.0 * DBL_EPSILON;
    const double nk_total = nk.sum();
    for (int32_t c = 0; c < k; ++c) {
        p.weights[size_t(c)] = nk[c] / nk_total;
        for (int32_t j = 0; j < d; ++j)
            p.means[size_t(c) * d + size_t(j)] = moments.rx(c, j) / nk[c];
    }
    const RowMatrix S =
        sum_row_blocks(X, interrupt, runner, [&](int64_t lo, int64_t hi, BlockSums& s) {
            scatter_block(p, block_rows(X, lo, hi), st.resp.middleRows(lo, hi - lo), s);
        }).scatter;
    switch (p.covariance) {
        case CovarianceType::Full:
            for (int32_t c = 0; c < k; ++c) {
                RowMap C(p.covariances.data() + size_t(c) * d * d, d, d);
                C = S.middleRows(int64_t(c) * d, d) / nk[c];
                C.diagonal().array() += reg;
            }
            break;
        case CovarianceType::Tied: {
            RowMap C(p.covariances.data(), d, d);
            C.setZero();
            for (int32_t c = 0; c < k; ++c) C += S.middleRows(int64_t(c) * d, d);
            C /= nk_total;
            C.diagonal().array() += reg;
            break;
        }
        case CovarianceType::Diag:
            for (int32_t c = 0; c < k; ++c)
                for (int32_t j = 0; j < d; ++j)
                    p.covariances[size_t(c) * d + size_t(j)] = S(c, j) / nk[c] + reg;
            break;
        case CovarianceType::Spherical:
            for (int32_t c = 0; c < k; ++c)
                p.covariances[size_t(c)] = (S.row(c).array() / nk[c] + reg).mean();
            break;
    }
    st.regularised += gmm_precisions(p, reg);
}

// E-step (scikit-learn's _e_step): the responsibilities of every row under the current
// parameters into st.resp; returns the mean log p(x) and the first moments of the new
// responsibilities (for the M-step that follows).
BlockSums e_step(ConstRowMap X, EmState& st, const Interrupt& interrupt,
                 const TaskRunner& runner) {
    return sum_row_blocks(X, interrupt, runner, [&](int64_t lo, int64_t hi, BlockSums& s) {
        const ConstRowMap Xb = block_rows(X, lo, hi);
        RowMatrix W;
        weighted_log_prob_block(st.params, Xb, W);
        s.log_lik = normalise_block(W);
        st.resp.middleRows(lo, hi - lo) = W;
        first_moments(Xb, W, s);
    });
}

// The first moments of given responsibilities (the initial M-step).
BlockSums moments_of(ConstRowMap X, const RowMatrix& R, const Interrupt& interrupt,
                     const TaskRunner& runner) {
    return sum_row_blocks(X, interrupt, runner, [&](int64_t lo, int64_t hi, BlockSums& s) {
        first_moments(block_rows(X, lo, hi), R.middleRows(lo, hi - lo), s);
    });
}

// Empty parameters of the right shapes.
GmmParams empty_params(CovarianceType t, int32_t k, int32_t d) {
    GmmParams p;
    p.covariance = t;
    p.k = k;
    p.dims = d;
    p.weights.assign(size_t(k), 0.0);
    p.means.assign(size_t(k) * d, 0.0);
    p.covariances.assign(size_t(covariance_size(t, k, d)), 0.0);
    return p;
}

// The initial responsibilities of restart r (scikit-learn's _initialize_parameters); with init
// "kmeans" the k-means centres go to *centres when it is given.
RowMatrix initial_resp(ConstRowMap X, int32_t k, const GmmOptions& opts, int32_t restart,
                       const Interrupt& interrupt, RowMatrix* centres = nullptr) {
    const int64_t n = X.rows();
    RowMatrix R = RowMatrix::Zero(n, k);
    Rng rng = Rng::for_stream(opts.seed, static_cast<uint64_t>(restart));
    if (opts.init == GmmInit::Random) {
        for (int64_t i = 0; i < n; ++i) {
            double sum = 0.0;
            for (int32_t c = 0; c < k; ++c) sum += R(i, c) = rng.next_double();
            if (sum <= 0.0) {
                R.row(i).setConstant(1.0 / k);
            } else {
                R.row(i) /= sum;
            }
        }
        return R;
    }
    // KMeans(n_clusters=k, n_init=1, random_state=...).fit(X).labels_, one-hot.
    KMeansOptions ko;
    ko.n_init = 1;
    ko.refine = RefineMethod::None;
    ko.seed = rng.next();
    KMeansRun km = kmeans_run(X, k, ko, interrupt);
    for (int64_t i = 0; i < n; ++i) R(i, km.labels[size_t(i)]) = 1.0;
    if (centres != nullptr) *centres = std::move(km.centers);
    return R;
}

// EM iterations each k-means candidate of a restart gets before one is chosen.
constexpr int32_t kScreenIterations = 10;

// How the EM iterations of one restart ended.
struct EmOutcome {
    double lower_bound;
    int32_t n_iter;
    bool converged;
};

// What one screened k-means candidate of a restart left: its k-means centres and its
// parameters and outcome after the short EM run.
struct Candidate {
    RowMatrix centres;
    GmmParams params;
    EmOutcome outcome{-std::numeric_limits<double>::infinity(), 0, false};
    int32_t regularised = 0;  // covariance blocks regularised beyond reg_covar in its run
};

// EM iterations from the current parameters (scikit-learn's loop in BaseMixture.fit_predict):
// E-step, M-step, until the mean log-likelihood of the E-step changes by less than tol or
// max_iter iterations in all; `o` says where a previous call stopped (iterations done, the
// last lower bound).
void em_iterate(ConstRowMap X, EmState& st, const GmmOptions& opts, int32_t max_iter,
                const Interrupt& interrupt, const TaskRunner& runner, EmOutcome& o) {
    const double n = static_cast<double>(X.rows());
    while (!o.converged && o.n_iter < max_iter) {
        interrupt.poll();
        const double prev = o.lower_bound;
        const BlockSums moments = e_step(X, st, interrupt, runner);
        m_step(X, st, moments, opts.reg_covar, interrupt, runner);
        o.lower_bound = moments.log_lik / n;
        ++o.n_iter;
        if (std::abs(o.lower_bound - prev) < opts.tol) o.converged = true;
    }
}

// Parameters from given responsibilities st.resp of the rows X (the M-step of a start).
void start_params(ConstRowMap X, EmState& st, CovarianceType t, double reg,
                  const Interrupt& interrupt, const TaskRunner& runner) {
    st.params = empty_params(t, int32_t(st.resp.cols()), int32_t(X.cols()));
    m_step(X, st, moments_of(X, st.resp, interrupt, runner), reg, interrupt, runner);
}

// Candidate `stream` of a restart: a k-means labelling of the screening rows and a short EM
// run from it, on the calling thread (the rows are one block, or few: the sums are the same
// on any runner).
Candidate screen_candidate(ConstRowMap screen, int32_t k, const GmmOptions& opts,
                           int32_t stream, const Interrupt& interrupt) {
    Candidate c;
    EmState st;
    st.resp = initial_resp(screen, k, opts, stream, interrupt, &c.centres);
    start_params(screen, st, opts.covariance, opts.reg_covar, interrupt, run_tasks_serially);
    em_iterate(screen, st, opts, std::min(kScreenIterations, opts.max_iter), interrupt,
               run_tasks_serially, c.outcome);
    c.params = std::move(st.params);
    c.regularised = st.regularised;
    return c;
}

// One restart of gmm_run: with init "kmeans" and opts.init_candidates > 1, that many
// k-means labelings (streams restart * candidates + j of the seed) are each turned into
// parameters and given kScreenIterations EM iterations -- on every row, or on the evenly
// spaced sample of gmm_screen_rows rows -- side by side on the runner's threads, each on its
// own; the candidate with the highest lower bound (ties: the first) starts the EM on all
// rows: the "short runs" strategy of Biernacki, Celeux & Govaert (2003, "Choosing starting
// values for the EM algorithm for getting the highest likelihood in multivariate Gaussian
// mixture models"). On a sample, a winner whose short run converged at its second iteration
// (its k-means labelling was already an EM fixed point) starts from its k-means centres'
// labelling of all rows -- as scikit-learn's start, without the sample's overfitted
// parameters that would cost an extra pass over all rows to undo --, any other continues
// from its parameters. With one candidate, or init "random", it is scikit-learn's single
// start. max_iter bounds the iterations on all rows.
EmOutcome em_restart(ConstRowMap X, int32_t k, const GmmOptions& opts, int32_t restart,
                     EmState& st, const Interrupt& interrupt, const TaskRunner& runner) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    const int32_t candidates = opts.init == GmmInit::KMeans ? opts.init_candidates : 1;
    st.regularised = 0;
    EmOutcome o{-std::numeric_limits<double>::infinity(), 0, false};
    if (candidates == 1) {
        st.resp = initial_resp(X, k, opts, restart, interrupt);
        start_params(X, st, opts.covariance, opts.reg_covar, interrupt, runner);
        em_iterate(X, st, opts, opts.max_iter, interrupt, runner, o);
        return o;
    }
    const int64_t m = gmm_screen_rows(n, opts.covariance, k, d);
    RowMatrix sample;
    ConstRowMap screen = X;
    if (m > 0) {
        sample.resize(m, d);
        for (int64_t i = 0; i < m; ++i) sample.row(i) = X.row(i * n / m);
        new (&screen) ConstRowMap(sample.data(), sample.rows(), sample.cols());
    }
    std::vector<Candidate> cands(size_t(candidates), Candidate{});
    runner(
        candidates,
        [&](int32_t j, const Interrupt& intr) {
            cands[size_t(j)] = screen_candidate(screen, k, opts, restart * candidates + j, intr);
        },
        interrupt);
    int32_t best = 0;
    for (int32_t j = 1; j < candidates; ++j)
        if (cands[size_t(j)].outcome.lower_bound > cands[size_t(best)].outcome.lower_bound)
            best = j;
    for (const Candidate& c : cands) st.regularised += c.regularised;
    Candidate& win = cands[size_t(best)];
    sample.resize(0, 0);
    if (m > 0 && win.outcome.converged && win.outcome.n_iter <= 2) {
        st.resp = RowMatrix::Zero(n, k);
        const RowBlocks bl = blocks_of(X);
        runner(
            bl.count(),
            [&](int32_t b, const Interrupt& intr) {
                intr.poll();
                for (int64_t i = bl.begin(b); i < bl.end(b); ++i)
                    st.resp(i, nearest_centroid(X.row(i).data(), win.centres.data(), k, d,
                                                nullptr)) = 1.0;
            },
            interrupt);
        start_params(X, st, opts.covariance, opts.reg_covar, interrupt, runner);
    } else {
        st.params = std::move(win.params);
        st.resp.resize(n, k);
    }
    cands.clear();
    em_iterate(X, st, opts, opts.max_iter, interrupt, runner, o);
    return o;
}

// The final E-step (scikit-learn's): the labels and the likelihood of the kept parameters.
void finish_run(ConstRowMap X, EmState& st, GmmRun& run, const Interrupt& interrupt,
                const TaskRunner& runner) {
    const int64_t n = X.rows();
    st.params = run.params;
    st.resp.resize(n, run.params.k);
    const BlockSums sums = e_step(X, st, interrupt, runner);
    run.log_likelihood = sums.log_lik / static_cast<double>(n);
    run.labels.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) {
        Eigen::Index c = 0;
        st.resp.row(i).maxCoeff(&c);
        run.labels[size_t(i)] = static_cast<int32_t>(c);
    }
}

}  // namespace

const char* covariance_type_name(CovarianceType t) {
    switch (t) {
        case CovarianceType::Full: return "full";
        case CovarianceType::Tied: return "tied";
        case CovarianceType::Diag: return "diag";
        case CovarianceType::Spherical: return "spherical";
    }
    return "?";
}

const char* gmm_init_name(GmmInit i) { return i == GmmInit::KMeans ? "kmeans" : "random"; }

GmmOptions gmm_options(const KMeansOptions& o) {
    GmmOptions g;
    g.covariance = o.gmm_covariance;
    g.init = o.gmm_init;
    g.n_init = o.gmm_n_init;
    g.max_iter = o.gmm_max_iter;
    g.tol = o.gmm_tol;
    g.reg_covar = o.gmm_reg_covar;
    g.seed = o.seed;
    g.init_candidates = o.gmm_init_candidates;
    return g;
}

int64_t gmm_screen_rows(int64_t n, CovarianceType t, int32_t k, int32_t d) {
    const double wanted = double(kScreenRowsPerParameter) * double(gmm_parameter_count(t, k, d));
    const int64_t m = static_cast<int64_t>(
        std::min<double>(double(kScreenMaxRows), std::max<double>(double(kScreenMinRows), wanted)));
    return n > 2 * m ? m : 0;
}

// Every term names the buffers it counts (sizes in doubles of bytes: no product overflows).
double gmm_fit_bytes(int64_t rows, int32_t dims, int32_t clusters, const KMeansOptions& opts,
                     int32_t threads) {
    const GmmOptions g = gmm_options(opts);
    const double n = static_cast<double>(std::max<int64_t>(rows, 1));
    const double d = std::max(dims, 1);
    const double k = std::max(clusters, 1);
    const double t = std::max(threads, 1);
    const double cov = static_cast<double>(covariance_size(g.covariance, int32_t(k), int32_t(d)));
    const bool matrix = g.covariance == CovarianceType::Full || g.covariance == CovarianceType::Tied;
    const double scatter = matrix ? k * d * d : k * d;
    // Each running block of B rows: W (B x k), Y, D, Dw and one expression temporary (B x d),
    // sq (B); its BlockSums (nk, rx, scatter).
    const auto block_scratch = [&](double B) { return 8.0 * B * (k + 4 * d + 2); };
    const double block_sums = 8.0 * (k + k * d + scatter);
    const double block_rows = static_cast<double>(block_rows_for(int64_t(d)));
    // GmmParams: weights, log_det, means, covariances, precisions_chol. Alive at once: the
    // restart's (EmState), the best restart's (gmm_run), a fresh empty_params, and the kind's
    // copy, kind arrays and centres (model_gmm.cpp).
    const double params = 8.0 * (2 * k + k * d + 2 * cov);
    double all_params = 6.0 * params;
    // st.resp (n x k) and the next start's initial_resp beside it until the move.
    const double resp = 2.0 * 8.0 * n * k;
    KMeansOptions ko;
    ko.n_init = 1;
    ko.refine = RefineMethod::None;
    // gmm_precisions: the Cholesky factor, L and its inverse (d x d each), in every thread
    // running a screened candidate (else on the calling thread alone).
    const double chol = matrix ? 3.0 * 8.0 * d * d : 0.0;
    double chols = chol;
    // The starts: one k-means labelling of every row, or the screened candidates.
    double starts = 0.0;
    if (g.init == GmmInit::KMeans && g.init_candidates > 1) {
        const double c = g.init_candidates;
        const int64_t m = gmm_screen_rows(int64_t(n), g.covariance, int32_t(k), int32_t(d));
        const double s = m > 0 ? double(m) : n;  // the rows screened
        const double running = std::min(t, c);   // candidates side by side
        // Every candidate's centres and parameters (kept until the winner is chosen); each
        // running one's EmState parameters and fresh empty_params, responsibilities and initial
        // responsibilities (s x k), k-means on s rows, block scratch and sums (a few blocks).
        all_params += c * (params + 8.0 * k * d) + running * 2.0 * params;
        chols = running * chol;
        const double blocks = std::ceil(s / block_rows);
        starts = (m > 0 ? 8.0 * s * d : 0.0) +
                 running * (2.0 * 8.0 * s * k +
                            kmeans_fit_memory(int64_t(s), int32_t(d), int32_t(k), ko, 1).bytes +
                            block_scratch(std::min(s, block_rows)) + (blocks + 2) * block_sums);
    } else if (g.init == GmmInit::KMeans) {
        starts = kmeans_fit_memory(int64_t(n), int32_t(d), int32_t(k), ko, 1).bytes;
    }
    // One pass: every block's BlockSums, their sum and the M-step's copy S.
    const double blocks = std::ceil(n / block_rows);
    const double sums = (blocks + 2) * block_sums;
    const double per_block = std::min(t, blocks) * block_scratch(std::min(n, block_rows));
    // Labels: gmm_run's, the kind's, the pipeline's renumbered ones; the kind's k scratch.
    const double labels = 3.0 * 4.0 * n + 8.0 * k;
    // Before the fit: the feature pipeline (a column copy and its sort scratch or brackets),
    // then the robust scaler's column copy and the column statistics, then the projection.
    const double before = std::max(
        {feature_pipeline_fit_bytes(int64_t(n), int32_t(d), pipeline_spec(opts), int32_t(t)),
         (opts.scale == ScaleMethod::Robust ? 8.0 * n : 0.0) +
             8.0 * (std::ceil(n / double(kTaskBlockRows)) + 4) * d,
         projection_fit_bytes(rows, dims, threads)});
    const double fit = all_params + resp + starts + sums + per_block + chols + labels;
    return std::max(fit, before) + t * 256.0 * 1024 + 64.0 * 1024;  // per-thread, fixed
}

int64_t covariance_size(CovarianceType t, int32_t k, int32_t d) {
    switch (t) {
        case CovarianceType::Full: return int64_t(k) * d * d;
        case CovarianceType::Tied: return int64_t(d) * d;
        case CovarianceType::Diag: return int64_t(k) * d;
        case CovarianceType::Spherical: return k;
    }
    return 0;
}

int64_t gmm_parameter_count(CovarianceType t, int32_t k, int32_t d) {
    int64_t cov = 0;
    switch (t) {
        case CovarianceType::Full: cov = int64_t(k) * d * (d + 1) / 2; break;
        case CovarianceType::Tied: cov = int64_t(d) * (d + 1) / 2; break;
        case CovarianceType::Diag: cov = int64_t(k) * d; break;
        case CovarianceType::Spherical: cov = k; break;
    }
    return cov + int64_t(k) * d + k - 1;
}

void validate_gmm_options(const GmmOptions& o) {
    auto bad = [](const std::string& what) {
        throw Error(ErrorKind::InvalidParameter, "gmm_fit: " + what);
    };
    if (o.n_init < 1) bad("n_init must be at least 1, got " + std::to_string(o.n_init));
    if (o.init_candidates < 1 || o.init_candidates > 100)
        bad("init_candidates must be between 1 and 100, got " +
            std::to_string(o.init_candidates));
    if (o.max_iter < 1) bad("max_iter must be at least 1, got " + std::to_string(o.max_iter));
    if (!(std::isfinite(o.tol) && o.tol >= 0.0)) bad("tol must be a finite number >= 0");
    if (!(std::isfinite(o.reg_covar) && o.reg_covar >= 0.0))
        bad("reg_covar must be a finite number >= 0");
}

int32_t gmm_precisions(GmmParams& p, double reg) {
    const int32_t k = p.k, d = p.dims;
    p.precisions_chol.assign(p.covariances.size(), 0.0);
    p.log_det.assign(size_t(k), 0.0);
    int32_t regularised = 0;
    const double floor = reg > 0.0 ? reg : 1e-10;
    if (p.covariance == CovarianceType::Full || p.covariance == CovarianceType::Tied) {
        const int32_t blocks = p.covariance == CovarianceType::Full ? k : 1;
        for (int32_t c = 0; c < blocks; ++c) {
            RowMap C(p.covariances.data() + size_t(c) * d * d, d, d);
            // Symmetric by construction; use the lower triangle for both halves.
            C.triangularView<Eigen::StrictlyUpper>() = C.transpose();
            double extra = floor * 10.0;
            bool tried_identity = false;
            for (;;) {
                const bool finite = C.allFinite();
                Eigen::LLT<RowMatrix> llt;
                if (finite) llt.compute(C);
                if (finite && llt.info() == Eigen::Success) {
                    const RowMatrix L = llt.matrixL();
                    if ((L.diagonal().array() > 0.0).all() && L.allFinite()) {
                        const RowMatrix Linv =
                            L.triangularView<Eigen::Lower>().solve(RowMatrix::Identity(d, d));
                        if (Linv.allFinite()) {
                            RowMap P(p.precisions_chol.data() + size_t(c) * d * d, d, d);
                            P = Linv.transpose();
                            const double ld = P.diagonal().array().log().sum();
                            if (p.covariance == CovarianceType::Full) {
                                p.log_det[size_t(c)] = ld;
                            } else {
                                std::fill(p.log_det.begin(), p.log_det.end(), ld);
                            }
                            break;
                        }
                    }
                }
                if (extra == floor * 10.0) ++regularised;
                if (!finite || extra > 1e12) {
                    // Beyond repair: the identity (the scale of standardised data).
                    if (tried_identity)
                        throw Error(ErrorKind::Internal, "gmm: identity covariance rejected");
                    C.setIdentity();
                    tried_identity = true;
                    continue;
                }
                C.diagonal().array() += extra;
                extra *= 10.0;
            }
        }
        return regularised;
    }
    for (size_t i = 0; i < p.covariances.size(); ++i) {
        double& v = p.covariances[i];
        if (!(std::isfinite(v) && v >= floor)) {
            v = std::isfinite(v) ? floor : 1.0;
            ++regularised;
        }
        p.precisions_chol[i] = 1.0 / std::sqrt(v);
    }
    for (int32_t c = 0; c < k; ++c) {
        if (p.covariance == CovarianceType::Diag) {
            double ld = 0.0;
            for (int32_t j = 0; j < d; ++j) ld += std::log(p.precisions_chol[size_t(c) * d + j]);
            p.log_det[size_t(c)] = ld;
        } else {
            p.log_det[size_t(c)] = d * std::log(p.precisions_chol[size_t(c)]);
        }
    }
    return regularised;
}

double log_sum_exp(const double* v, int32_t k) {
    double m = -std::numeric_limits<double>::infinity();
    for (int32_t c = 0; c < k; ++c) m = std::max(m, v[c]);
    if (!std::isfinite(m)) return m;
    double s = 0.0;
    for (int32_t c = 0; c < k; ++c) s += std::exp(v[c] - m);
    return m + std::log(s);
}

GmmView gmm_view(const GmmParams& p) {
    return GmmView{p.covariance,        p.k, p.dims, p.weights.data(), p.means.data(),
                   p.precisions_chol.data(), p.log_det.data()};
}

std::vector<double> gmm_log_weights(const GmmView& p) {
    std::vector<double> out(static_cast<size_t>(p.k));
    for (int32_t c = 0; c < p.k; ++c) out[size_t(c)] = std::log(p.weights[c]);
    return out;
}

// The constant of component c's weighted log-probability, log weight + log det - d/2 log(2 pi)
// (explicit fused multiply-adds here and below: the one- and four-row paths round alike).
namespace {
double component_constant(const GmmView& p, int32_t c) {
    const double log_weight = p.log_weights != nullptr ? p.log_weights[c] : std::log(p.weights[c]);
    return std::fma(-0.5 * p.dims, kLog2Pi, log_weight + p.log_det[c]);
}

// gmm_weighted_log_prob in T (double, or long double for rows whose double sums overflow).
template <typename T>
void weighted_log_prob(const GmmView& p, const double* x, T* out) {
    const int32_t d = p.dims;
    T y[64];
    std::vector<T> heap;
    T* buf = y;
    if (d > 64) {
        heap.resize(size_t(d));
        buf = heap.data();
    }
    for (int32_t c = 0; c < p.k; ++c) {
        const double* mu = p.means + size_t(c) * d;
        T sq = 0.0;
        switch (p.covariance) {
            case CovarianceType::Full:
            case CovarianceType::Tied: {
                const double* P = p.precisions_chol +
                                  (p.covariance == CovarianceType::Full ? size_t(c) * d * d : 0);
                for (int32_t j = 0; j < d; ++j) buf[j] = T(x[j]) - T(mu[j]);
                // y = diff^T P with P upper triangular: column m sums rows 0..m.
                for (int32_t m = 0; m < d; ++m) {
                    T acc = 0.0;
                    for (int32_t j = 0; j <= m; ++j)
                        acc = std::fma(buf[j], T(P[size_t(j) * d + m]), acc);
                    sq = std::fma(acc, acc, sq);
                }
                break;
            }
            case CovarianceType::Diag: {
                const double* pc = p.precisions_chol + size_t(c) * d;
                for (int32_t j = 0; j < d; ++j) {
                    const T t = (T(x[j]) - T(mu[j])) * T(pc[j]);
                    sq = std::fma(t, t, sq);
                }
                break;
            }
            case CovarianceType::Spherical: {
                const T pc = p.precisions_chol[size_t(c)];
                for (int32_t j = 0; j < d; ++j)
                    sq = std::fma(T(x[j]) - T(mu[j]), T(x[j]) - T(mu[j]), sq);
                sq *= pc * pc;
                break;
            }
        }
        out[c] = std::fma(T(-0.5), sq, T(component_constant(p, c)));
    }
}

// True when a row's double log-probabilities cannot be compared: one is not finite (its
// squared Mahalanobis distance overflowed), so the row is far outside every component.
bool needs_wide_log_prob(const double* v, int32_t k) {
    for (int32_t c = 0; c < k; ++c)
        if (!std::isfinite(v[c])) return true;
    return false;
}

}  // namespace

void gmm_weighted_log_prob(const GmmView& p, const double* x, double* out) {
    weighted_log_prob(p, x, out);
}

void gmm_predict_rows(const GmmView& p, const double* x, int64_t n, int32_t* labels) {
    const int32_t d = p.dims, k = p.k;
    std::vector<double> scratch(static_cast<size_t>(k));
    int64_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
    if (p.covariance == CovarianceType::Full || p.covariance == CovarianceType::Tied) {
        // Four rows side by side, one in each lane: the scalar path's operations in its order.
        std::vector<double> constant(static_cast<size_t>(k));
        for (int32_t c = 0; c < k; ++c) constant[size_t(c)] = component_constant(p, c);
        // Per feature j the four rows' values (xs) and differences from the mean (ds), lanes
        // side by side.
        std::vector<double> xs(size_t(4) * d), ds(size_t(4) * d);
        for (; i + 4 <= n; i += 4) {
            const double* r = x + i * d;
            for (int32_t j = 0; j < d; ++j)
                for (int32_t l = 0; l < 4; ++l) xs[size_t(4 * j + l)] = r[l * d + j];
            __m256d best = _mm256_setzero_pd(), best_c = _mm256_setzero_pd();
            __m256d wide = _mm256_setzero_pd();  // lanes with a non-finite log-probability
            for (int32_t c = 0; c < k; ++c) {
                const double* mu = p.means + size_t(c) * d;
                const double* P = p.precisions_chol +
                                  (p.covariance == CovarianceType::Full ? size_t(c) * d * d : 0);
                for (int32_t j = 0; j < d; ++j)
                    _mm256_storeu_pd(ds.data() + 4 * j,
                                     _mm256_sub_pd(_mm256_loadu_pd(xs.data() + 4 * j),
                                                   _mm256_set1_pd(mu[j])));
                __m256d sq = _mm256_setzero_pd();
                for (int32_t m = 0; m < d; ++m) {
                    __m256d acc = _mm256_setzero_pd();
                    for (int32_t j = 0; j <= m; ++j)
                        acc = _mm256_fmadd_pd(_mm256_loadu_pd(ds.data() + 4 * j),
                                              _mm256_set1_pd(P[size_t(j) * d + m]), acc);
                    sq = _mm256_fmadd_pd(acc, acc, sq);
                }
                const __m256d v = _mm256_fmadd_pd(_mm256_set1_pd(-0.5), sq,
                                                  _mm256_set1_pd(constant[size_t(c)]));
                const __m256d zero_if_finite = _mm256_sub_pd(v, v);
                wide = _mm256_or_pd(wide, _mm256_cmp_pd(zero_if_finite, zero_if_finite,
                                                        _CMP_UNORD_Q));
                if (c == 0) {
                    best = v;
                    continue;
                }
                // gmm_predict_row's rule: a later component wins only when strictly greater.
                const __m256d greater = _mm256_cmp_pd(v, best, _CMP_GT_OQ);
                best = _mm256_blendv_pd(best, v, greater);
                best_c = _mm256_blendv_pd(best_c, _mm256_set1_pd(double(c)), greater);
            }
            alignas(32) double lane[4];
            _mm256_store_pd(lane, best_c);
            const int wide_lanes = _mm256_movemask_pd(wide);
            for (int32_t l = 0; l < 4; ++l)
                labels[i + l] = (wide_lanes >> l) & 1  // gmm_predict_row's long double rule
                                    ? gmm_predict_row(p, r + l * d, scratch.data())
                                    : static_cast<int32_t>(lane[l]);
        }
    }
#endif
    for (; i < n; ++i) labels[i] = gmm_predict_row(p, x + i * d, scratch.data());
}

double gmm_proba_row(const GmmView& p, const double* x, double* out) {
    gmm_weighted_log_prob(p, x, out);
    if (needs_wide_log_prob(out, p.k)) {  // far out: the shares in long double
        std::vector<long double> w(static_cast<size_t>(p.k));
        weighted_log_prob(p, x, w.data());
        const long double m = *std::max_element(w.begin(), w.end());
        long double sum = 0.0L;
        for (long double& v : w) sum += v = std::exp(v - m);
        for (int32_t c = 0; c < p.k; ++c) out[c] = static_cast<double>(w[size_t(c)] / sum);
        return static_cast<double>(m + std::log(sum));
    }
    const double lse = log_sum_exp(out, p.k);
    if (!std::isfinite(lse)) {
        for (int32_t c = 0; c < p.k; ++c) out[c] = 1.0 / p.k;
        return lse;
    }
    double sum = 0.0;
    for (int32_t c = 0; c < p.k; ++c) sum += out[c] = std::exp(out[c] - lse);
    for (int32_t c = 0; c < p.k; ++c) out[c] /= sum;
    return lse;
}

int32_t gmm_predict_row(const GmmView& p, const double* x, double* scratch) {
    gmm_weighted_log_prob(p, x, scratch);
    int32_t best = 0;
    if (needs_wide_log_prob(scratch, p.k)) {  // far out: compared in long double
        std::vector<long double> w(static_cast<size_t>(p.k));
        weighted_log_prob(p, x, w.data());
        for (int32_t c = 1; c < p.k; ++c)
            if (w[size_t(c)] > w[size_t(best)]) best = c;
        return best;
    }
    for (int32_t c = 1; c < p.k; ++c)
        if (scratch[c] > scratch[best]) best = c;
    return best;
}

GmmRun gmm_run(ConstRowMap X, int32_t k, const GmmOptions& opts, const Interrupt& interrupt,
               const TaskRunner& runner) {
    validate_gmm_options(opts);
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    if (k < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "gmm_fit: k must be between 1 and the number of rows, got " +
                        std::to_string(k));
    if (n < k)
        throw Error(ErrorKind::DataException,
                    "gmm_fit: " + std::to_string(n) + " usable rows are fewer than k = " +
                        std::to_string(k));
    if (d < 1) throw Error(ErrorKind::InvalidParameter, "gmm_fit: rows have no feature");

    GmmRun best;
    bool have_best = false;
    int32_t regularised = 0;
    EmState st;
    for (int32_t r = 0; r < opts.n_init; ++r) {
        interrupt.poll();
        const EmOutcome o = em_restart(X, k, opts, r, st, interrupt, runner);
        regularised += st.regularised;
        if (!have_best || o.lower_bound > best.lower_bound) {
            best.params = st.params;
            best.lower_bound = o.lower_bound;
            best.n_iter = o.n_iter;
            best.converged = o.converged;
            have_best = true;
        }
    }
    best.regularised = regularised;
    finish_run(X, st, best, interrupt, runner);
    return best;
}

GmmRun gmm_em(ConstRowMap X, GmmParams start, const GmmOptions& opts,
              const Interrupt& interrupt, const TaskRunner& runner) {
    validate_gmm_options(opts);
    EmState st;
    st.params = std::move(start);
    st.resp.resize(X.rows(), st.params.k);
    st.regularised = gmm_precisions(st.params, opts.reg_covar);
    EmOutcome o{-std::numeric_limits<double>::infinity(), 0, false};
    em_iterate(X, st, opts, opts.max_iter, interrupt, runner, o);
    GmmRun run;
    run.params = st.params;
    run.lower_bound = o.lower_bound;
    run.n_iter = o.n_iter;
    run.converged = o.converged;
    run.regularised = st.regularised;
    finish_run(X, st, run, interrupt, runner);
    return run;
}

double gmm_score(const GmmParams& p, ConstRowMap X, const Interrupt& interrupt,
                 const TaskRunner& runner) {
    const int64_t n = X.rows();
    if (n == 0) return 0.0;
    const RowBlocks bl = blocks_of(X);
    std::vector<double> parts(size_t(bl.count()), 0.0);
    runner(
        bl.count(),
        [&](int32_t b, const Interrupt& intr) {
            intr.poll();
            const int64_t lo = bl.begin(b), hi = bl.end(b);
            RowMatrix W;
            weighted_log_prob_block(p, block_rows(X, lo, hi), W);
            parts[size_t(b)] = normalise_block(W);
        },
        interrupt);
    double total = 0.0;
    for (double v : parts) total += v;
    return total / static_cast<double>(n);
}

GmmParams gmm_permuted(const GmmParams& p, const std::vector<int32_t>& order) {
    GmmParams q = p;
    const int32_t d = p.dims;
    const size_t per = p.covariance == CovarianceType::Full        ? size_t(d) * d
                       : p.covariance == CovarianceType::Diag      ? size_t(d)
                       : p.covariance == CovarianceType::Spherical ? 1
                                                                   : 0;
    for (int32_t c = 0; c < p.k; ++c) {
        const size_t from = size_t(order[size_t(c)]);
        q.weights[size_t(c)] = p.weights[from];
        q.log_det[size_t(c)] = p.log_det[from];
        std::copy_n(p.means.begin() + from * d, d, q.means.begin() + size_t(c) * d);
        if (per > 0) {
            std::copy_n(p.covariances.begin() + from * per, per, q.covariances.begin() + c * per);
            std::copy_n(p.precisions_chol.begin() + from * per, per,
                        q.precisions_chol.begin() + c * per);
        }
    }
    return q;
}

double gmm_bic(double ll, int64_t n, CovarianceType t, int32_t k, int32_t d) {
    return -2.0 * ll * static_cast<double>(n) +
           static_cast<double>(gmm_parameter_count(t, k, d)) * std::log(static_cast<double>(n));
}

double gmm_aic(double ll, int64_t n, CovarianceType t, int32_t k, int32_t d) {
    return -2.0 * ll * static_cast<double>(n) +
           2.0 * static_cast<double>(gmm_parameter_count(t, k, d));
}

}  // namespace cseg
