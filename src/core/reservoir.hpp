// Seeded reservoir sampling of feature rows for kmeans_fit's "sample" option: Vitter's (1985)
// Algorithm R ("Random sampling with a reservoir", ACM TOMS 11(1)), with the core's own
// generator (rng.hpp) and integer arithmetic only, so the same seed and the same rows in the
// same order keep the same sample on every platform; plus the merge of two reservoirs that
// parallel aggregation needs. The rows themselves live in memory the caller owns (the
// aggregate state): these functions only decide and move.
//
// Determinism. The sample depends on the rows' order: row number t (0-based among the rows
// offered) is kept or not by a draw that depends only on (seed, t). A serial scan of an
// unchanged table returns rows in the same order, so it keeps the same sample; a parallel
// scan, an UPDATE or a VACUUM FULL reorders rows and may change it (a statistically
// equivalent sample, not the same one). Sorting the rows canonically afterwards cannot undo
// that: which rows are in the reservoir is already decided.
#pragma once

#include <cstdint>

namespace cseg {

// The seed of the sampling draws for kmeans_fit's "seed" option (a stream of its own, so the
// draws do not repeat those of the restarts).
uint64_t reservoir_seed(uint64_t seed);

// Algorithm R: where row number `seen` (0-based: rows offered before it) goes in a reservoir
// of `capacity` >= 1 slots. Returns `seen` itself while seen < capacity (the reservoir is
// still filling: append), else a slot in [0, capacity) to overwrite with probability
// capacity / (seen + 1), else -1 (the row is not kept). Never throws: the wall calls it once
// per row, outside a guard.
int64_t reservoir_slot(uint64_t seed, int64_t seen, int64_t capacity) noexcept;

// Rows of `dims` doubles, row-major.
struct ReservoirRows {
    double* data;
    int64_t rows;  // rows held: min(seen, capacity)
    int64_t seen;  // rows offered to this reservoir
};

// Merges reservoir b into reservoir a, so that a becomes a uniform sample of
// min(capacity, a.seen + b.seen) rows of the union of the rows both have seen: the number
// taken from each side is hypergeometric (capacity draws without replacement from a.seen +
// b.seen rows, a.seen of them a's), then a uniform subset of that size is taken from each
// reservoir. a.data must have room for `capacity` rows; b is only read. Updates a.rows and
// a.seen. Deterministic for the same inputs (the draws depend on seed, a.seen and b.seen).
// Memory: O(rows taken from b) besides the buffers. Throws Error(Internal), changing nothing,
// when the arguments are inconsistent (rows != min(seen, capacity), counts overflow, ...).
void reservoir_merge(ReservoirRows& a, const ReservoirRows& b, int32_t dims, int64_t capacity,
                     uint64_t seed);

}  // namespace cseg
