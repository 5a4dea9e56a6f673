// The kmeans_fit pipeline: missing values, scaler, k-means, canonical cluster order, statistics.
#pragma once

#include <cstdint>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

// Fits the model kmeans_fit returns on n x d rows in original units, where NaN (or any other
// non-finite value) marks a missing element; rows may be modified in place (compacted, imputed,
// scaled). Steps: the missing policy (skip: drop the row and count it in n_skipped; error:
// Error(NullValue) naming the 1-based row; impute: per-feature mean of the finite values, kept
// in Model::impute), the scaler opts.scale fitted on the usable rows, kmeans_run in scaled
// space, then clusters renumbered by size descending, ties by centroid (scaled space)
// lexicographically ascending. Deterministic: same rows, order and options => bit-identical model.
// Throws Error(InvalidParameter) for k < 1 or bad options, Error(DataException) when fewer
// than k rows are usable, Cancelled through interrupt. The restarts run on up to `threads`
// threads (kmeans_run_parallel); the model does not depend on it.
Model fit_kmeans_model(RowMap rows, int32_t k, const KMeansOptions& opts,
                       const Interrupt& interrupt, int32_t threads = 1);

}  // namespace cseg
