// Nearest-centroid rule and the transposed centre layout (see distance.hpp).
#include "distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cseg {

// Linear scan with a strict "<", so the lowest index wins a tie; rows far outside the
// centroids are compared again in extended precision.
int32_t nearest_centroid(const double* x, const double* centroids, int32_t k, int32_t dims,
                         double* best_sq) {
    int32_t best = 0;
    double best_d = squared_distance(x, centroids, dims);
    double second_d = std::numeric_limits<double>::infinity();
    for (int32_t c = 1; c < k; ++c) {
        const double d = squared_distance(x, centroids + static_cast<int64_t>(c) * dims, dims);
        if (d < best_d) {
            second_d = best_d;
            best_d = d;
            best = c;
        } else if (d < second_d) {
            second_d = d;
        }
    }
    if (needs_wide_comparison(x, dims, best_d, second_d)) {
        best = nearest_centroid_wide(x, centroids, k, dims);
        best_d = squared_distance(x, centroids + static_cast<int64_t>(best) * dims, dims);
    }
    if (best_sq != nullptr) *best_sq = best_d;
    return best;
}

// Overflowed, or a near tie of a row with a coordinate beyond 2^40 (scaled space). Rows of
// standard- or minmax-scaled training data never get there; with scale "none" or "robust" on
// raw values beyond 2^40, a near tie may be broken differently from the fit's plain rule.
bool needs_wide_comparison(const double* x, int32_t dims, double best_sq, double second_sq) {
    if (!(best_sq <= std::numeric_limits<double>::max())) return true;
    if (!(second_sq - best_sq <= 0x1p-30 * best_sq)) return false;
    for (int32_t j = 0; j < dims; ++j)
        if (std::fabs(x[j]) >= 0x1p40) return true;
    return false;
}

// The 80-bit (or wider) exponent range holds every product of two doubles.
static_assert(std::numeric_limits<long double>::max_exponent >= 2 * 1024 + 64,
              "nearest_centroid_wide needs a long double with a wider exponent than double");

// Argmin over c of ||c||^2 - 2 x.c (+ extra[c]) by pairwise comparisons in long double:
// g(a) - g(b) = sum_j (a_j - b_j)(a_j + b_j - 2 x_j) (+ extra[a] - extra[b]), where a
// coordinate the two share adds exactly 0, so a huge coordinate of x cannot hide the others.
int32_t nearest_centroid_wide(const double* x, const double* centroids, int32_t k,
                              int32_t dims, const double* extra) {
    int32_t best = 0;
    for (int32_t c = 1; c < k; ++c) {
        const double* a = centroids + static_cast<int64_t>(c) * dims;
        const double* b = centroids + static_cast<int64_t>(best) * dims;
        long double diff = extra != nullptr ? static_cast<long double>(extra[c]) -
                                                  static_cast<long double>(extra[best])
                                            : 0.0L;
        for (int32_t j = 0; j < dims; ++j) {
            if (a[j] == b[j]) continue;
            const long double aj = a[j], bj = b[j];
            diff += (aj - bj) * (aj + bj - 2.0L * static_cast<long double>(x[j]));
        }
        if (diff < 0.0L) best = c;
    }
    return best;
}

// sqrt of the plain sum when it is finite, else of the sum in extended precision.
double euclidean_distance(const double* a, const double* b, int32_t dims) {
    const double sq = squared_distance(a, b, dims);
    if (sq <= std::numeric_limits<double>::max()) return std::sqrt(sq);
    long double acc = 0.0L;
    for (int32_t j = 0; j < dims; ++j) {
        const long double t = static_cast<long double>(a[j]) - static_cast<long double>(b[j]);
        acc += t * t;
    }
    return static_cast<double>(std::sqrt(acc));
}

// ct[j * stride + c] = centers[c * dims + j], zero in the padding columns.
void transpose_centers(const double* centers, int32_t k, int32_t dims, double* ct) {
    const int32_t stride = padded_centers(k);
    std::fill(ct, ct + static_cast<int64_t>(stride) * dims, 0.0);
    for (int32_t c = 0; c < k; ++c) {
        for (int32_t j = 0; j < dims; ++j)
            ct[static_cast<int64_t>(j) * stride + c] = centers[static_cast<int64_t>(c) * dims + j];
    }
}

// Single row: one tile of up to 16 centres, else tiles of 8 and 4.
void squared_distances_to_centers(const double* x, const double* ct, int32_t stride, int32_t dims,
                                  double* out) {
    detail::distance_tiles<1>(x, dims, ct, stride, out, 1);
}

// kRowBlock rows at once when the block is full; the tail row by row.
void squared_distances_block(const double* x, int32_t rows, const double* ct, int32_t stride,
                             int32_t dims, double* out) {
    if (rows == kRowBlock) {
        detail::distance_tiles<kRowBlock>(x, dims, ct, stride, out, kRowBlock);
        return;
    }
    for (int32_t r = 0; r < rows; ++r)
        detail::distance_tiles<1>(x + static_cast<int64_t>(r) * dims, dims, ct, stride, out + r,
                                  kRowBlock);
}

}  // namespace cseg
