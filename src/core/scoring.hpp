// What the scoring aggregates (silhouette, davies_bouldin, calinski_harabasz,
// silhouette_values) do between their row buffer and the metrics: the silhouette's sampling
// options, and the buffered rows made usable, canonical and split from their ids.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "interrupt.hpp"

namespace cseg {

// silhouette(..., options): score a seeded sample of the rows instead of all of them.
struct SilhouetteOptions {
    int64_t sample_size = 0;  // 0: every row; else rows drawn without replacement
    uint64_t seed = 0;        // the sample's seed
};

// Parses the silhouette options object (the text of a jsonb object; "{}" for defaults):
// "sample_size" a positive integer or null (every row), "seed" an integer 0..2^63-1 (default
// 0). Throws Error(InvalidParameter) naming the key; an unknown key's detail lists the valid.
SilhouetteOptions parse_silhouette_options(std::string_view json);

// The buffered rows after prepare_scored_rows.
struct ScoredRows {
    int64_t n = 0;             // usable rows, now data[0 .. n*d) and labels[0 .. n)
    int64_t skipped = 0;       // rows dropped for a NaN or infinite feature
    std::vector<int64_t> ids;  // with_ids: the n ids, parallel to the rows
};

// Prepares n buffered rows for the metrics, in place. Each row is `d` features followed, when
// with_ids, by one more double holding an int64 id's bits. Rows with a NaN or infinite
// feature are dropped (stable), the rest are put in canonical order (row_order.hpp: features,
// then the id's bits, labels carried along) so every scan order gives the same answer, and
// with_ids the ids are moved out, leaving n x d contiguous features. Throws Cancelled.
ScoredRows prepare_scored_rows(double* data, int32_t* labels, int64_t n, int32_t d, bool with_ids,
                               const Interrupt& interrupt);

// Encodes an int64 id as the bits of a double for the trailing id column, and back.
double id_to_bits(int64_t id);
int64_t id_from_bits(double bits);

}  // namespace cseg
