// Gaussian mixtures by expectation-maximisation (Dempster, Laird & Rubin 1977) on already
// scaled, finite rows, as scikit-learn's GaussianMixture: full, tied, diagonal or spherical
// covariances, k-means initialisation (the labels of one k-means run turned into
// responsibilities), n_init restarts, tol on the change of the mean per-row log-likelihood,
// reg_covar added to every variance. Numerically safe: log-sum-exp responsibilities,
// Cholesky factors of the precisions, a covariance that is not positive definite regularised
// further (never a NaN, never an error).
#pragma once

#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"
#include "task_threads.hpp"

namespace cseg {

// CovarianceType and GmmInit live in model.hpp (they are options of a model). GmmInit says how
// the responsibilities of a restart start: "kmeans" (k-means labels, one-hot) or "random"
// (uniform random numbers, each row normalised to sum 1), as scikit-learn.

// The numbers of doubles a model with k components and d features keeps for its covariances:
// full k*d*d, tied d*d, diag k*d, spherical k.
int64_t covariance_size(CovarianceType t, int32_t k, int32_t d);

// Free parameters of a mixture (scikit-learn's _n_parameters): covariance parameters (full
// k*d*(d+1)/2, tied d*(d+1)/2, diag k*d, spherical k) + k*d means + k-1 weights.
int64_t gmm_parameter_count(CovarianceType t, int32_t k, int32_t d);

// EM options, defaults as scikit-learn's GaussianMixture except where SPEC.md says otherwise.
struct GmmOptions {
    CovarianceType covariance = CovarianceType::Full;
    GmmInit init = GmmInit::KMeans;
    int32_t n_init = 1;
    int32_t max_iter = 100;
    double tol = 1e-3;
    double reg_covar = 1e-6;
    uint64_t seed = 0;
    // init "kmeans": k-means labelings screened per restart by 10 EM iterations each, the best
    // kept (gmm_run); 1 = scikit-learn's single k-means start.
    int32_t init_candidates = 10;
};

// The screening sample of a restart's init_candidates k-means candidates (gmm_run): m =
// kScreenRowsPerParameter rows per free parameter (gmm_parameter_count), at least
// kScreenMinRows and at most kScreenMaxRows, evenly spaced; 0 (every row screened) when n
// <= 2m, where a sample would save little.
constexpr int64_t kScreenMinRows = 2048;
constexpr int64_t kScreenRowsPerParameter = 8;
constexpr int64_t kScreenMaxRows = 20000;
int64_t gmm_screen_rows(int64_t n, CovarianceType t, int32_t k, int32_t d);

// The EM options of a model's options (gmm_fit's keys, the seed).
GmmOptions gmm_options(const KMeansOptions& o);

// An upper bound, in bytes, of gmm_fit's working memory beside its n x d rows (opts: a model's
// options, k components, `threads` threads): the fit pipeline's scaler and sort scratch, then
// gmm_run (two n x k responsibilities, the copies of the parameters, the per-block sums and
// per-thread block buffers, the k-means starts and their screening sample, the labels) and the
// gmm kind's labelling. Follows the allocations of gmm.cpp and model_gmm.cpp: change it with
// them. The wall holds the fit to customer_seg.max_memory with it before anything is allocated.
double gmm_fit_bytes(int64_t n, int32_t d, int32_t k, const KMeansOptions& opts,
                     int32_t threads);

// Throws Error(InvalidParameter) naming the first bad option (n_init >= 1, max_iter >= 1,
// tol >= 0, reg_covar >= 0, all finite, 1 <= init_candidates <= 100).
void validate_gmm_options(const GmmOptions& o);

// A fitted mixture: what a model keeps, and what scoring a row needs. precisions_chol is
// derived from covariances by gmm_precisions (never stored: recomputed on load).
struct GmmParams {
    CovarianceType covariance = CovarianceType::Full;
    int32_t k = 0;
    int32_t dims = 0;
    std::vector<double> weights;          // k, sum 1
    std::vector<double> means;            // k * d, row-major
    std::vector<double> covariances;      // covariance_size(...), row-major blocks
    std::vector<double> precisions_chol;  // same shape: full/tied the upper-triangular
                                          // inverse-transpose of the covariance's Cholesky
                                          // factor, diag/spherical 1/sqrt(variance)
    std::vector<double> log_det;          // k: log det of each precision Cholesky factor
};

// Pointers to what scoring a row needs (a GmmParams, or a stored model's arrays).
struct GmmView {
    CovarianceType covariance;
    int32_t k, dims;
    const double* weights;          // k
    const double* means;            // k * d
    const double* precisions_chol;  // covariance_size(...)
    const double* log_det;          // k
    const double* log_weights = nullptr;  // k: log(weights[c]) when given (scoring many rows
                                          // computes them once), else taken per row
};
GmmView gmm_view(const GmmParams& p);
// log(weights[c]) for every component, as gmm_weighted_log_prob takes them (for log_weights).
std::vector<double> gmm_log_weights(const GmmView& p);

// Computes precisions_chol and log_det from covariances. A full or tied covariance that is
// not numerically positive definite gets 10x reg (then 100x, ...) more on its diagonal until
// its Cholesky factorisation succeeds (from 1e-10 when reg is 0); a diagonal or spherical
// variance below reg (or 1e-300) is raised to it. Returns how many covariance blocks had to be
// regularised this way (covariances are updated to what was used).
int32_t gmm_precisions(GmmParams& p, double reg);

// log(weight_c) + log N(x | mean_c, cov_c) for every component c of one row x (d values)
// into out[0..k).
void gmm_weighted_log_prob(const GmmView& p, const double* x, double* out);

// The log of the sum of exp(v[0..k)), computed safely (max subtracted first).
double log_sum_exp(const double* v, int32_t k);

// P(component | x) for one row into out[0..k) (sums to 1); returns log p(x). A row whose
// log-probabilities overflow in double (far outside every component) is computed again in
// long double, here and in gmm_predict_row.
double gmm_proba_row(const GmmView& p, const double* x, double* out);

// The most probable component of one row (ties: the lowest index); scratch holds k doubles.
int32_t gmm_predict_row(const GmmView& p, const double* x, double* scratch);

// gmm_predict_row of n consecutive rows (x: n x d, row-major) into labels[0..n), the same
// labels bit for bit: with AVX2 and FMA, full and tied covariances take four rows at a time.
void gmm_predict_rows(const GmmView& p, const double* x, int64_t n, int32_t* labels);

// The result of gmm_run: the parameters of the best restart and what EM reported for it.
struct GmmRun {
    GmmParams params;
    double lower_bound = 0.0;     // mean per-row log-likelihood at the last E-step (sklearn's
                                  // lower_bound_), which chose the best restart
    double log_likelihood = 0.0;  // mean per-row log-likelihood of the final parameters
                                  // (sklearn's score(X))
    int32_t n_iter = 0;           // EM iterations of the best restart
    bool converged = false;
    int32_t regularised = 0;      // covariance blocks regularised beyond reg_covar (all restarts)
    std::vector<int32_t> labels;  // n: most probable component of every row
};

// EM as scikit-learn's GaussianMixture.fit on n x d scaled rows: opts.n_init restarts, restart
// r initialised from Rng::for_stream(opts.seed, ...) -- with init "kmeans" the best of
// opts.init_candidates k-means labelings after 10 EM iterations each (on gmm_screen_rows
// evenly spaced rows, side by side on the runner's threads) (Biernacki, Celeux & Govaert
// 2003, "short runs"; scikit-learn takes a single k-means run) -- each at most opts.max_iter iterations of
// E-step + M-step until the mean log-likelihood changes by less than opts.tol; the restart with
// the highest final lower bound wins (ties: the earliest). Passes over the rows are split into
// fixed blocks (8192 rows, more for wide rows) run by `runner`; block sums are added in block order, so the
// result does not depend on the runner. Throws Error(InvalidParameter) for k < 1 or bad
// options, Error(DataException) for fewer rows than k, Cancelled through interrupt.
GmmRun gmm_run(ConstRowMap X, int32_t k, const GmmOptions& opts, const Interrupt& interrupt,
               const TaskRunner& runner = run_tasks_serially);

// EM from given starting parameters (weights, means, covariances; precisions are computed):
// scikit-learn's GaussianMixture with weights_init, means_init and precisions_init, n_init 1.
// For tests: the trajectory is deterministic, so it must match scikit-learn's closely.
GmmRun gmm_em(ConstRowMap X, GmmParams start, const GmmOptions& opts,
              const Interrupt& interrupt, const TaskRunner& runner = run_tasks_serially);

// Mean per-row log-likelihood of the rows under p (sklearn's score), by blocks as gmm_run.
double gmm_score(const GmmParams& p, ConstRowMap X, const Interrupt& interrupt,
                 const TaskRunner& runner = run_tasks_serially);

// Renumbers the components: component c of the result is component order[c] of p.
GmmParams gmm_permuted(const GmmParams& p, const std::vector<int32_t>& order);

// scikit-learn's bic(X) and aic(X) from the mean log-likelihood of n rows:
// -2 * ll * n + parameters * log(n), and -2 * ll * n + 2 * parameters.
double gmm_bic(double mean_log_likelihood, int64_t n, CovarianceType t, int32_t k, int32_t d);
double gmm_aic(double mean_log_likelihood, int64_t n, CovarianceType t, int32_t k, int32_t d);

}  // namespace cseg
