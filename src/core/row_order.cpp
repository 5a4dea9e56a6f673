// Lexicographic in-place row sort: sort (key, index) pairs, then apply the permutation by
// following its cycles, so only O(n) extra memory is used besides one spare row.
#include "row_order.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cseg {

namespace {

// Maps a double's bits to an unsigned key whose order is the numeric order (total order).
uint64_t order_key(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return (bits & 0x8000000000000000ULL) ? ~bits : bits | 0x8000000000000000ULL;
}

// Lexicographic comparison of two rows by their order keys, from column `from` on.
bool row_less(const double* a, const double* b, int32_t d, int32_t from) {
    for (int32_t j = from; j < d; ++j) {
        const uint64_t ka = order_key(a[j]), kb = order_key(b[j]);
        if (ka != kb) return ka < kb;
    }
    return false;
}

}  // namespace

// Sorts rows (and labels) into canonical order.
void sort_rows(double* data, int32_t* labels, int64_t n, int32_t d, const Interrupt& interrupt) {
    if (n < 2) return;
    struct Entry {
        uint64_t key;
        int64_t index;
    };
    std::vector<Entry> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[size_t(i)] = {order_key(data[i * d]), i};
    interrupt.poll();
    std::sort(order.begin(), order.end(), [&](const Entry& a, const Entry& b) {
        if (a.key != b.key) return a.key < b.key;
        if (row_less(data + a.index * d, data + b.index * d, d, 1)) return true;
        if (row_less(data + b.index * d, data + a.index * d, d, 1)) return false;
        return a.index < b.index;
    });
    interrupt.poll();
    // Row at position i must become old row order[i].index: follow each cycle once.
    std::vector<double> spare(static_cast<size_t>(d));
    std::vector<bool> done(static_cast<size_t>(n), false);
    const size_t row_bytes = sizeof(double) * size_t(d);
    for (int64_t start = 0; start < n; ++start) {
        if (done[size_t(start)] || order[size_t(start)].index == start) {
            done[size_t(start)] = true;
            continue;
        }
        std::memcpy(spare.data(), data + start * d, row_bytes);
        const int32_t spare_label = labels != nullptr ? labels[start] : 0;
        int64_t pos = start;
        while (true) {
            const int64_t from = order[size_t(pos)].index;
            done[size_t(pos)] = true;
            if (from == start) {
                std::memcpy(data + pos * d, spare.data(), row_bytes);
                if (labels != nullptr) labels[pos] = spare_label;
                break;
            }
            std::memcpy(data + pos * d, data + from * d, row_bytes);
            if (labels != nullptr) labels[pos] = labels[from];
            pos = from;
        }
    }
}

}  // namespace cseg
