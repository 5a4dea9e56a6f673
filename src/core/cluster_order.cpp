// Cluster numbering by size (see cluster_order.hpp).
#include "cluster_order.hpp"

#include <algorithm>
#include <numeric>

namespace cseg {

namespace {

// -1, 0 or 1 as a is lexicographically below, equal to or above b (n values each).
template <typename T>
int compare_rows(const T* a, const T* b, int32_t n) {
    if (std::lexicographical_compare(a, a + n, b, b + n)) return -1;
    if (std::lexicographical_compare(b, b + n, a, a + n)) return 1;
    return 0;
}

}  // namespace

// Sorts the cluster indices by (size desc, centre, modes, index).
std::vector<int32_t> cluster_order(const std::vector<int64_t>& size, const double* centers,
                                   int32_t d, const int32_t* modes, int32_t q) {
    const int32_t k = static_cast<int32_t>(size.size());
    std::vector<int32_t> order(static_cast<size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        if (size[size_t(a)] != size[size_t(b)]) return size[size_t(a)] > size[size_t(b)];
        const int by_centre = compare_rows(centers + int64_t{a} * d, centers + int64_t{b} * d, d);
        if (by_centre != 0) return by_centre < 0;
        if (q > 0) {
            const int by_modes = compare_rows(modes + int64_t{a} * q, modes + int64_t{b} * q, q);
            if (by_modes != 0) return by_modes < 0;
        }
        return a < b;
    });
    return order;
}

}  // namespace cseg
