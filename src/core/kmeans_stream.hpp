// The "stream" engine of seg_train: k-means over a table that is never held in memory. One
// seeding pass gathers per-feature moments (for the scaler, the tolerance and the training
// statistics) and an order-independent sample (the rows with the smallest seeded row hashes,
// a "bottom-s" sample: the same rows whatever the scan order, partitioning or sharding); the
// sample is clustered in memory (the same restarts as kmeans_fit) to give the starting
// centres; then one pass per Lloyd iteration accumulates per-cluster sums, counts, inertia and
// distance sums (O(k * dims) state, combinable across parallel workers and shards), until
// scikit-learn's stopping rule holds; a last pass gives the final sizes and inertia.
//
// The pass states are flat arrays of plain numbers (the aggregate states PostgreSQL holds);
// these functions only read and update them and never allocate, except the model builders.
#pragma once

#include <cstdint>

#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

// --- the seeding pass ------------------------------------------------------------------------

// Views of a seeding state's arrays (all owned by the caller). count/mean/m2/min/max have
// dims entries; the sample holds at most `capacity` rows: keys[i] and rows[i * dims ...] of
// slot i, heap[0 .. sampled) the slots ordered as a max-heap on (key, row values). The caller
// keeps room for min(capacity, sampled + 1) slots before stream_seed_add and for
// min(capacity, a.sampled + b.sampled) in a before stream_seed_merge.
struct StreamSeedView {
    int32_t dims = 0;
    int64_t capacity = 0;  // sample rows at most (>= 1)
    uint64_t seed = 0;     // the row-hash seed
    int64_t* n_rows;       // rows accepted (complete, or imputable)
    int64_t* n_skipped;    // rows left out (missing values, "missing": "skip")
    int64_t* sampled;      // rows in the sample: min(capacity, accepted)
    double* count;         // finite values seen, per feature
    double* mean;          // their mean
    double* m2;            // their sum of squared deviations from the mean
    double* min;
    double* max;
    double* missing;       // per feature: the skipped rows missing it (stream_seed_skip)
    uint64_t* keys;        // capacity
    int64_t* heap;         // capacity slot numbers
    double* rows;          // capacity * dims, original units, NaN = missing
};

// Bytes of a seeding state's arrays for dims features and a sample of `capacity` rows (the
// caller's allocation; saturates at INT64_MAX instead of overflowing).
int64_t stream_seed_bytes(int32_t dims, int64_t capacity);

// Zeroes the counters and moments (min/max to +-infinity). Never throws.
void stream_seed_reset(const StreamSeedView& s) noexcept;

// The seeded hash of a row (order-independent sampling key): -0 hashes as 0, every NaN alike.
uint64_t stream_row_hash(const double* x, int32_t dims, uint64_t seed) noexcept;

// Offers one accepted row (NaN = missing element, counted in no moment): updates the moments
// of its finite elements and keeps it in the sample when its (hash, values) key is among the
// `capacity` smallest seen. Never throws.
void stream_seed_add(const StreamSeedView& s, const double* x) noexcept;

// Counts one row left out for its missing values ("missing": "skip"): n_skipped and, per
// feature, whether the row misses it (for the error when no row is usable). Never throws.
void stream_seed_skip(const StreamSeedView& s, const double* x) noexcept;

// Merges seeding state b into a (Chan, Golub & LeVeque's pairwise update of the moments; the
// sample keeps the smallest keys of both), so the result does not depend on how the rows were
// split. Both must have the same dims, capacity and seed (the caller checks). Never throws.
void stream_seed_merge(const StreamSeedView& a, const StreamSeedView& b) noexcept;

// --- the Lloyd passes ------------------------------------------------------------------------

// Views of one pass's sums (owned by the caller): for the model's k centres and dims features.
struct LloydSumsView {
    int32_t k = 0;
    int32_t dims = 0;
    int64_t* n_rows;     // rows assigned
    int64_t* n_skipped;  // rows left out (missing values the model does not impute)
    double* inertia;     // sum of squared distances to the nearest centre
    double* sums;        // k * dims: per cluster the sum of its rows (scaled space)
    int64_t* counts;     // k
    double* dist_sum;    // k: per cluster the sum of distances (not squared)
};

// Bytes of a pass state's arrays (saturating, as stream_seed_bytes).
int64_t lloyd_sums_bytes(int32_t k, int32_t dims);

// Zeroes a pass state. Never throws.
void lloyd_sums_reset(const LloydSumsView& s) noexcept;

// Adds one scaled row assigned to cluster c at squared distance sq. Never throws.
void lloyd_sums_add(const LloydSumsView& s, const double* x, int32_t c, double sq) noexcept;

// Adds pass state b into a (same k and dims: the caller checks). Never throws.
void lloyd_sums_merge(const LloydSumsView& a, const LloydSumsView& b) noexcept;

// --- models --------------------------------------------------------------------------------

// The starting model: the scaler from the moments (standard: mean and population std;
// minmax; none; a constant feature gets scale 1; "robust" needs every row and is an error),
// the impute values (feature means) when opts.missing = impute, the training statistics, and
// centres from kmeans_run (opts: init, n_init, max_iter, tol, seed, refine) on the sample
// scaled by that scaler, sorted by key first so the result depends only on the rows. Its
// sizes are the sample's; options.sample (the sample's size) is not kept in the model. Throws Error(DataException) for fewer usable rows than k,
// Error(InvalidParameter) for bad options, Cancelled through interrupt.
// The restarts run on up to `threads` threads (kmeans_run_parallel); the model does not depend
// on it.
Model stream_start(const StreamSeedView& seed, int32_t k, const KMeansOptions& opts,
                   const Interrupt& interrupt, int32_t threads = 1);

// scikit-learn's absolute tolerance for the model's scaled space: opts.tol times the mean
// over features of the scaled variance, from the moments.
double stream_tolerance(const StreamSeedView& seed, const Model& m);

// One Lloyd update: the centres become the means of the rows the pass assigned to them (a
// centre no row chose stays where it was); sizes, n_rows and n_skipped are the pass's,
// inertia the pass's (that is, of the centres before the update), n_iter + 1.
// Throws Error(InvalidParameter) when the sums do not fit the model.
Model stream_update(const Model& m, const LloydSumsView& pass);

// Total squared shift between the centres of two models of the same shape.
double stream_centre_shift(const Model& a, const Model& b);

// The final model from the last pass over its own centres: sizes, inertia, mean distances,
// clusters renumbered by size as kmeans_fit numbers them, validated.
Model stream_finish(const Model& m, const LloydSumsView& pass);

}  // namespace cseg
