// Reservoir sampling (Vitter 1985, Algorithm R) and the merge of two reservoirs.
#include "reservoir.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "errors.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

// Stream numbers of the seed: sampling draws and merge draws never share a stream with each
// other or with the k-means restarts (streams 0 .. n_init - 1 of the plain seed).
constexpr uint64_t kSampleStream = 0x53414D504C455F52ULL;  // "SAMPLE_R"
constexpr uint64_t kMergeSalt = 0x4D455247455F5253ULL;     // "MERGE_RS"

// Throws Error(Internal) for a reservoir whose counts do not fit together.
void check_reservoir(const ReservoirRows& r, int64_t capacity, const char* which) {
    if (r.seen < 0 || r.rows != std::min(r.seen, capacity) || (r.rows > 0 && r.data == nullptr))
        throw Error(ErrorKind::Internal,
                    std::string("inconsistent reservoir sample state (") + which + ")");
}

}  // namespace

// A generator's first output for a dedicated stream of the seed.
uint64_t reservoir_seed(uint64_t seed) { return Rng::for_stream(seed, kSampleStream).next(); }

// Algorithm R with a stateless draw per row: stream `seen` of the sampling seed.
int64_t reservoir_slot(uint64_t seed, int64_t seen, int64_t capacity) noexcept {
    if (seen < capacity) return seen;
    Rng rng = Rng::for_stream(seed, static_cast<uint64_t>(seen));
    const uint64_t j = rng.bounded(static_cast<uint64_t>(seen) + 1);
    return j < static_cast<uint64_t>(capacity) ? static_cast<int64_t>(j) : -1;
}

// Hypergeometric split, then a uniform subset of each side (partial Fisher-Yates).
void reservoir_merge(ReservoirRows& a, const ReservoirRows& b, int32_t dims, int64_t capacity,
                     uint64_t seed) {
    if (capacity < 1 || dims < 1) throw Error(ErrorKind::Internal, "bad reservoir capacity");
    check_reservoir(a, capacity, "first");
    check_reservoir(b, capacity, "second");
    int64_t seen = 0;
    if (__builtin_add_overflow(a.seen, b.seen, &seen))
        throw Error(ErrorKind::Internal, "reservoir row count overflows");
    const size_t row_bytes = sizeof(double) * static_cast<size_t>(dims);
    double* const row0 = a.data;
    auto row = [row0, dims](int64_t i) { return row0 + i * static_cast<int64_t>(dims); };
    if (seen <= capacity) {  // both sides kept every row: the union is the sample
        if (b.rows > 0)
            std::memcpy(row(a.rows), b.data, row_bytes * static_cast<size_t>(b.rows));
        a.rows += b.rows;
        a.seen = seen;
        return;
    }
    Rng rng = Rng::for_stream(seed ^ kMergeSalt,
                              static_cast<uint64_t>(a.seen) * 0x9E3779B97F4A7C15ULL ^
                                  static_cast<uint64_t>(b.seen));
    // How many of the `capacity` rows come from a: draws without replacement from the
    // a.seen + b.seen rows both reservoirs stand for.
    int64_t take_a = 0;
    uint64_t left_a = static_cast<uint64_t>(a.seen), left_b = static_cast<uint64_t>(b.seen);
    for (int64_t i = 0; i < capacity; ++i) {
        if (rng.bounded(left_a + left_b) < left_a) {
            ++take_a;
            --left_a;
        } else {
            --left_b;
        }
    }
    const int64_t take_b = capacity - take_a;  // <= min(b.seen, capacity) = b.rows
    // A uniform take_a-subset of a's rows into its first take_a rows.
    std::vector<double> spare(static_cast<size_t>(dims));
    for (int64_t i = 0; i < take_a; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(a.rows - i)));
        if (j == i) continue;
        std::memcpy(spare.data(), row(i), row_bytes);
        std::memcpy(row(i), row(j), row_bytes);
        std::memcpy(row(j), spare.data(), row_bytes);
    }
    // A uniform take_b-subset of b's rows after them: Fisher-Yates over b's row numbers with
    // only the displaced positions stored, so b stays untouched and memory is O(take_b).
    std::unordered_map<int64_t, int64_t> moved;
    auto at = [&moved](int64_t p) {
        const auto it = moved.find(p);
        return it == moved.end() ? p : it->second;
    };
    for (int64_t i = 0; i < take_b; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(b.rows - i)));
        const int64_t pick = at(j);
        moved[j] = at(i);
        std::memcpy(row(take_a + i), b.data + pick * static_cast<int64_t>(dims), row_bytes);
    }
    a.rows = capacity;
    a.seen = seen;
}

}  // namespace cseg
