// Principal component analysis for the segment map: the first two principal axes of the
// scaled training rows, fitted with the model and stored in it, so any row can be placed on
// the same 2-D map (seg_project) and any BI tool can plot customers.
#pragma once

#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "task_threads.hpp"

namespace cseg {

// A fitted 2-D projection of `dims`-dimensional rows.
struct Projection {
    std::vector<double> mean;            // dims: the rows' mean (scaled space)
    std::vector<double> components;      // 2 * dims, row-major: the unit principal axes
    std::vector<double> variance;        // 2: variance along each axis (divisor n - 1, as
                                         // scikit-learn's explained_variance_; 0 for n = 1)
    std::vector<double> variance_ratio;  // 2: share of the total variance (0 when it is 0)
};

// Fits scikit-learn's PCA(n_components=2) on X (n >= 1 rows): the eigenvectors of the
// covariance matrix of the centred rows for its two largest eigenvalues (Eigen's
// SelfAdjointEigenSolver up to kDenseEigenDims features, two-pass centring; beyond, an
// interruptible tridiagonal reduction and inverse iteration, and for fewer rows than features
// the n x n Gram matrix instead of the d x d covariance). Signs: each axis is oriented so that its
// largest-magnitude loading is positive (the first such loading on an exact tie), which makes
// the result independent of the row order and of the solver; scikit-learn's own svd_flip
// decides from the rows instead, so the coordinates agree with it up to the sign of each axis.
// With a single feature the second axis is all zeros (scikit-learn refuses n_components = 2
// there). The blocks of kTaskBlockRows rows are the runner's tasks (their sums are added in
// block order, so the result is the same for every thread count). Throws Cancelled.
Projection fit_projection(ConstRowMap X, const Interrupt& interrupt,
                          const TaskRunner& runner = run_tasks_serially);

// Rows a fit_projection task centres at a time (fewer for many features).
constexpr int64_t kCentreRows = 8192;
// Largest matrix whose eigenvectors Eigen's dense solver finds (it cannot be interrupted);
// beyond, fit_projection reduces to tridiagonal form, polling, and uses inverse iteration.
constexpr int64_t kDenseEigenDims = 512;
// Bytes fit_projection allocates at most for n x d rows on `threads` threads: per block its
// column sums and d x d scatter, per thread a chunk of centred rows, then the eigen solve; or
// for fewer rows than features beyond kDenseEigenDims, the centred rows and their n x n Gram
// matrix.
double projection_fit_bytes(int64_t n, int32_t d, int32_t threads);

// The 2-D coordinates of one scaled row x (dims values): (x - mean) . component_i.
void project_row(const Projection& p, const double* x, double* out2);

// What seg_project and seg_map_chart say about a model without a projection (errdetail, hint).
constexpr const char* kNoProjectionDetail =
    "Models made by the stream engine (seg_train \"engine\": \"stream\") and models read from "
    "a text or binary form without the \"projection\" key have none.";
constexpr const char* kNoProjectionHint =
    "Fit the model in memory (kmeans_fit, kprototypes_fit, hclust_fit, seg_train with "
    "\"engine\": \"memory\"): every such fit stores its projection.";

// True when the projection was fitted (a model read from a form without one has none).
inline bool has_projection(const Projection& p) { return !p.mean.empty(); }

// Throws Error(kind) unless the projection fits `dims` features: vector lengths, finite
// numbers, non-negative variances, ratios in [0, 1].
void validate_projection(const Projection& p, int32_t dims, ErrorKind kind);

}  // namespace cseg
