// Lexicographic in-place row sort: an in-place most-significant-digit radix sort of the rows
// themselves (McIlroy, Bostic & McIlroy, "Engineering radix sort", 1993: the "American flag"
// permutation), on the order-preserving integer keys of one column at a time, with a
// comparison sort for short segments. No per-row index is allocated: extra memory is
// O(buckets + short segment), and the rows move in a few streaming passes instead of the
// random-access permutation an index sort needs (measured in docs/performance.md).
#include "row_order.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cseg {

namespace {

// Segments of at most this many rows are sorted by comparison (index sort, then permuted).
constexpr int64_t kShortSegment = 48;
// Widest radix digit: 2^11 buckets keep the bucket heads within the first-level caches.
constexpr int kMaxDigitBits = 11;
// Rows of radix work between two interrupt polls.
constexpr int64_t kPollWork = int64_t{1} << 16;
// Tasks the buckets of the first radix pass are grouped into for a runner.
constexpr int64_t kSortTasks = 16;
// Rows per task of the first radix pass's key range and bucket counts (with a runner).
constexpr int64_t kScanRows = int64_t{1} << 16;

// Maps a double's bits to an unsigned key whose order is the numeric order (total order).
inline uint64_t order_key(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return (bits & 0x8000000000000000ULL) ? ~bits : bits | 0x8000000000000000ULL;
}

// Bits needed to number n buckets (n >= 2): ceil(log2(n)).
inline int bits_for(int64_t n) { return 64 - __builtin_clzll(static_cast<uint64_t>(n - 1)); }

// The sort of one buffer: rows of d doubles and optional parallel labels.
class RowSorter {
  public:
    RowSorter(double* data, int32_t* labels, int32_t d, const Interrupt& interrupt)
        : data_(data), labels_(labels), d_(d), interrupt_(interrupt), spare_(size_t(d)) {}

    // Sorts rows [lo, hi) whose columns before `col` are all equal; with a runner, the
    // buckets of the first radix pass are sorted as its tasks.
    void sort(int64_t lo, int64_t hi, int32_t col, const TaskRunner* runner = nullptr) {
        for (;;) {
            const int64_t n = hi - lo;
            if (n < 2) return;
            if (col == d_) {  // identical rows: only the labels can differ
                if (labels_ != nullptr) std::sort(labels_ + lo, labels_ + hi);
                return;
            }
            if (n <= kShortSegment) {
                sort_short(lo, hi, col);
                return;
            }
            uint64_t lo_key, hi_key;
            key_range(lo, hi, col, runner, &lo_key, &hi_key);
            if (lo_key == hi_key) {  // the column is constant here: next column
                ++col;
                continue;
            }
            radix_pass(lo, hi, col, lo_key, hi_key, runner);
            return;
        }
    }

  private:
    uint64_t key(int64_t i, int32_t col) const { return order_key(data_[i * d_ + col]); }
    double* row(int64_t i) const { return data_ + i * d_; }

    // Lexicographic order of rows a and b from column `col` on, then of their labels.
    bool less(int64_t a, int64_t b, int32_t col) const {
        for (int32_t j = col; j < d_; ++j) {
            const uint64_t ka = key(a, j), kb = key(b, j);
            if (ka != kb) return ka < kb;
        }
        return labels_ != nullptr && labels_[a] < labels_[b];
    }

    // The smallest and largest key of column `col` in rows [lo, hi); with a runner and many
    // rows, per block of kScanRows rows on its threads.
    void key_range(int64_t lo, int64_t hi, int32_t col, const TaskRunner* runner, uint64_t* lo_key,
                   uint64_t* hi_key) const {
        const auto scan = [&](int64_t a, int64_t b, uint64_t* low, uint64_t* high) {
            uint64_t l = ~uint64_t{0}, h = 0;
            for (int64_t i = a; i < b; ++i) {
                const uint64_t k = key(i, col);
                l = std::min(l, k);
                h = std::max(h, k);
            }
            *low = l;
            *high = h;
        };
        if (runner == nullptr || hi - lo < 2 * kScanRows) {
            scan(lo, hi, lo_key, hi_key);
            return;
        }
        const RowBlocks parts{hi - lo, kScanRows};
        std::vector<uint64_t> low(size_t(parts.count())), high(size_t(parts.count()));
        (*runner)(
            parts.count(),
            [&](int32_t t, const Interrupt&) {
                scan(lo + parts.begin(t), lo + parts.end(t), &low[size_t(t)], &high[size_t(t)]);
            },
            interrupt_);
        *lo_key = *std::min_element(low.begin(), low.end());
        *hi_key = *std::max_element(high.begin(), high.end());
    }

    // start[b + 1] = the rows of [lo, hi) in bucket b (start has buckets + 1 zeros); with a
    // runner and many rows, counted per block of kScanRows rows on its threads, then added.
    template <typename Digit>
    void count_buckets(int64_t lo, int64_t hi, size_t buckets, const Digit& digit,
                       const TaskRunner* runner, std::vector<int64_t>& start) const {
        if (runner == nullptr || hi - lo < 2 * kScanRows) {
            for (int64_t i = lo; i < hi; ++i) ++start[digit(i) + 1];
            return;
        }
        const RowBlocks parts{hi - lo, kScanRows};
        std::vector<int64_t> counts(size_t(parts.count()) * buckets, 0);
        (*runner)(
            parts.count(),
            [&](int32_t t, const Interrupt&) {
                int64_t* c = counts.data() + size_t(t) * buckets;
                for (int64_t i = lo + parts.begin(t); i < lo + parts.end(t); ++i) ++c[digit(i)];
            },
            interrupt_);
        for (int32_t t = 0; t < parts.count(); ++t)
            for (size_t b = 0; b < buckets; ++b) start[b + 1] += counts[size_t(t) * buckets + b];
    }

    // Asks the cache for row i (its first and last byte: a row may span two lines), to write.
    void prefetch_row(int64_t i) const {
        const char* p = reinterpret_cast<const char*>(row(i));
        __builtin_prefetch(p, 1, 3);
        __builtin_prefetch(p + sizeof(double) * size_t(d_) - 1, 1, 3);
    }

    // Exchanges rows i and j (and their labels).
    void swap_rows(int64_t i, int64_t j) {
        double* a = row(i);
        double* b = row(j);
        for (int32_t k = 0; k < d_; ++k) std::swap(a[k], b[k]);
        if (labels_ != nullptr) std::swap(labels_[i], labels_[j]);
    }

    // One American-flag pass on the digit of column `col` just below the common prefix of
    // [lo_key, hi_key], then each bucket sorted on (by the runner's tasks, if there is one).
    void radix_pass(int64_t lo, int64_t hi, int32_t col, uint64_t lo_key, uint64_t hi_key,
                    const TaskRunner* runner) {
        work_ += hi - lo;
        if (work_ >= kPollWork) {
            work_ = 0;
            interrupt_.poll();
        }
        const int top = 63 - __builtin_clzll(lo_key ^ hi_key);  // highest differing bit
        const int bits = std::min(kMaxDigitBits, std::max(1, bits_for(hi - lo)));
        const int shift = std::max(0, top + 1 - bits);
        const uint64_t base = lo_key >> shift;
        const size_t buckets = static_cast<size_t>((hi_key >> shift) - base + 1);
        auto digit = [&](int64_t i) { return static_cast<size_t>((key(i, col) >> shift) - base); };

        std::vector<int64_t> start(buckets + 1, 0);
        count_buckets(lo, hi, buckets, digit, runner, start);
        start[0] = lo;
        for (size_t b = 1; b <= buckets; ++b) start[b] += start[b - 1];
        std::vector<int64_t> head(start.begin(), start.end() - 1);
        // Every row is swapped straight into the next free place of its bucket. That place is
        // known long before a row arrives for it: each bucket's is prefetched (at the start,
        // and after each arrival the next one), so the swaps find their rows in the cache
        // (the serial permutation of 1M x 8 blobs rows: 22-26 -> 16-18 ms; same order).
        for (size_t b = 0; b < buckets; ++b)
            if (head[b] < start[b + 1]) prefetch_row(head[b]);
        for (size_t b = 0; b < buckets; ++b) {
            while (head[b] < start[b + 1]) {
                const size_t t = digit(head[b]);
                if (t == b) {
                    ++head[b];
                } else {
                    swap_rows(head[b], head[t]);
                    if (++head[t] < start[t + 1]) prefetch_row(head[t]);
                }
            }
        }
        if (runner == nullptr) {
            for (size_t b = 0; b < buckets; ++b) sort(start[b], start[b + 1], col);
            return;
        }
        // Buckets in consecutive groups of about (hi - lo) / kSortTasks rows, one task each,
        // with their own scratch: the buckets are disjoint ranges of rows.
        std::vector<size_t> group_start{0};
        const int64_t per_group = std::max<int64_t>(1, (hi - lo) / kSortTasks);
        for (size_t b = 0; b < buckets; ++b)
            if (start[b + 1] - start[group_start.back()] >= per_group || b + 1 == buckets)
                group_start.push_back(b + 1);
        (*runner)(
            static_cast<int32_t>(group_start.size() - 1),
            [&](int32_t g, const Interrupt& task_interrupt) {
                RowSorter sub(data_, labels_, d_, task_interrupt);
                for (size_t b = group_start[size_t(g)]; b < group_start[size_t(g) + 1]; ++b)
                    sub.sort(start[b], start[b + 1], col);
            },
            interrupt_);
    }

    // Short segment: sort row numbers by comparison, then move rows along the cycles.
    void sort_short(int64_t lo, int64_t hi, int32_t col) {
        const int64_t n = hi - lo;
        order_.resize(size_t(n));
        for (int64_t i = 0; i < n; ++i) order_[size_t(i)] = lo + i;
        std::sort(order_.begin(), order_.end(),
                  [&](int64_t a, int64_t b) { return less(a, b, col); });
        done_.assign(size_t(n), 0);
        const size_t row_bytes = sizeof(double) * size_t(d_);
        for (int64_t start = 0; start < n; ++start) {
            if (done_[size_t(start)] || order_[size_t(start)] == lo + start) continue;
            std::memcpy(spare_.data(), row(lo + start), row_bytes);
            const int32_t spare_label = labels_ != nullptr ? labels_[lo + start] : 0;
            int64_t pos = start;
            for (;;) {  // position pos receives old row order_[pos]
                done_[size_t(pos)] = 1;
                const int64_t from = order_[size_t(pos)] - lo;
                if (from == start) {
                    std::memcpy(row(lo + pos), spare_.data(), row_bytes);
                    if (labels_ != nullptr) labels_[lo + pos] = spare_label;
                    break;
                }
                std::memcpy(row(lo + pos), row(lo + from), row_bytes);
                if (labels_ != nullptr) labels_[lo + pos] = labels_[lo + from];
                pos = from;
            }
        }
    }

    double* data_;
    int32_t* labels_;
    int32_t d_;
    const Interrupt& interrupt_;
    std::vector<double> spare_;   // one row
    std::vector<int64_t> order_;  // short-segment scratch
    std::vector<char> done_;      // short-segment scratch
    int64_t work_ = 0;            // rows since the last interrupt poll
};

}  // namespace

// Sorts rows (and labels) into canonical order.
void sort_rows(double* data, int32_t* labels, int64_t n, int32_t d, const Interrupt& interrupt,
               const TaskRunner& runner) {
    if (n < 2 || d < 1) return;
    interrupt.poll();
    RowSorter(data, labels, d, interrupt).sort(0, n, 0, &runner);
    interrupt.poll();
}

// LSD radix sort: the values become their keys in place (bit patterns moved with memcpy),
// one histogram pass counts every digit, each digit that splits the values scatters them into
// the scratch and back.
void sort_values(double* v, int64_t n, const Interrupt& interrupt) {
    if (n < kRadixSortMin) {
        std::sort(v, v + n, [](double a, double b) { return order_key(a) < order_key(b); });
        return;
    }
    constexpr int kDigits = (64 + kMaxDigitBits - 1) / kMaxDigitBits;
    constexpr size_t kBuckets = size_t{1} << kMaxDigitBits;
    constexpr uint64_t kMask = kBuckets - 1;
    const auto load = [](const double* p, int64_t i) {
        uint64_t k;
        std::memcpy(&k, p + i, sizeof k);
        return k;
    };
    const auto store = [](double* p, int64_t i, uint64_t k) { std::memcpy(p + i, &k, sizeof k); };
    std::vector<double> scratch(static_cast<size_t>(n));
    double* a = v;
    double* b = scratch.data();
    std::vector<int64_t> count(kDigits * kBuckets, 0);
    for (int64_t i = 0; i < n; ++i) {
        if ((i & (kPollWork - 1)) == 0) interrupt.poll();
        const uint64_t k = order_key(v[i]);
        store(v, i, k);
        for (int g = 0; g < kDigits; ++g)
            ++count[size_t(g) * kBuckets + ((k >> (g * kMaxDigitBits)) & kMask)];
    }
    for (int g = 0; g < kDigits; ++g) {
        int64_t* c = count.data() + size_t(g) * kBuckets;
        const int shift = g * kMaxDigitBits;
        if (c[(load(a, 0) >> shift) & kMask] == n) continue;  // every value has this digit
        interrupt.poll();
        int64_t at = 0;
        for (size_t d = 0; d < kBuckets; ++d) {
            const int64_t m = c[d];
            c[d] = at;
            at += m;
        }
        for (int64_t i = 0; i < n; ++i) {
            const uint64_t k = load(a, i);
            store(b, c[(k >> shift) & kMask]++, k);
        }
        std::swap(a, b);
    }
    if (a != v) std::memcpy(v, a, sizeof(double) * size_t(n));
    for (int64_t i = 0; i < n; ++i) {  // keys back to values (order_key inverted)
        const uint64_t k = load(v, i);
        store(v, i, (k & 0x8000000000000000ULL) ? k & ~0x8000000000000000ULL : ~k);
    }
}

}  // namespace cseg
