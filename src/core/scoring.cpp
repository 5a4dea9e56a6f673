// Silhouette options and the preparation of buffered rows for the metrics.
#include "scoring.hpp"

#include <cstring>
#include <string>

#include "errors.hpp"
#include "json.hpp"
#include "missing.hpp"
#include "row_order.hpp"

namespace cseg {

namespace {

constexpr int64_t kMaxSeed = INT64_MAX;  // seeds travel through SQL bigint / jsonb

// Error(InvalidParameter) for the silhouette option `key`.
[[noreturn]] void bad_option(const std::string& key, const std::string& expected) {
    throw Error(ErrorKind::InvalidParameter,
                "silhouette option \"" + key + "\" must be " + expected);
}

}  // namespace

// Reads the two keys of the options object; anything else is an error.
SilhouetteOptions parse_silhouette_options(std::string_view json) {
    const Json doc = json_parse_options(json, "silhouette");
    SilhouetteOptions o;
    for (size_t i = 0; i < doc.keys().size(); ++i) {
        const std::string& key = doc.keys()[i];
        const Json& v = doc.items()[i];
        if (key == "sample_size") {
            if (v.is_null()) continue;
            const auto n = v.is_number() ? v.int64_value() : std::nullopt;
            if (!n || *n < 1) bad_option(key, "a positive integer or null (every row)");
            o.sample_size = *n;
        } else if (key == "seed") {
            const auto s = v.is_number() ? v.int64_value() : std::nullopt;
            if (!s || *s < 0 || *s > kMaxSeed) bad_option(key, "an integer from 0 to 2^63-1");
            o.seed = static_cast<uint64_t>(*s);
        } else {
            throw Error(ErrorKind::InvalidParameter, "unknown silhouette option \"" + key + "\"",
                        "Valid keys are: sample_size, seed.");
        }
    }
    return o;
}

// Compaction, canonical order, then the id column split off.
ScoredRows prepare_scored_rows(double* data, int32_t* labels, int64_t n, int32_t d, bool with_ids,
                               const Interrupt& interrupt) {
    const int32_t stride = with_ids ? d + 1 : d;
    ScoredRows out;
    out.n = compact_complete_rows(data, labels, n, d, stride);
    out.skipped = n - out.n;
    interrupt.poll();
    sort_rows(data, labels, out.n, stride, interrupt);
    if (!with_ids) return out;
    out.ids.resize(static_cast<size_t>(out.n));
    // Row i moves from offset i*(d+1) down to i*d: never onto a row not yet read.
    for (int64_t i = 0; i < out.n; ++i) {
        const double* row = data + i * stride;
        out.ids[static_cast<size_t>(i)] = id_from_bits(row[d]);
        std::memmove(data + i * d, row, sizeof(double) * static_cast<size_t>(d));
    }
    return out;
}

// The id's 64 bits reinterpreted, so every id survives the trip exactly.
double id_to_bits(int64_t id) {
    double bits;
    std::memcpy(&bits, &id, sizeof bits);
    return bits;
}

// Inverse of id_to_bits.
int64_t id_from_bits(double bits) {
    int64_t id;
    std::memcpy(&id, &bits, sizeof id);
    return id;
}

}  // namespace cseg
