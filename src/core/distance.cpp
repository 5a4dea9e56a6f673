// Nearest-centroid rule and the transposed centre layout (see distance.hpp).
#include "distance.hpp"

#include <algorithm>

namespace cseg {

// Linear scan with a strict "<", so the lowest index wins a tie.
int32_t nearest_centroid(const double* x, const double* centroids, int32_t k, int32_t dims,
                         double* best_sq) {
    int32_t best = 0;
    double best_d = squared_distance(x, centroids, dims);
    for (int32_t c = 1; c < k; ++c) {
        const double d = squared_distance(x, centroids + static_cast<int64_t>(c) * dims, dims);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (best_sq != nullptr) *best_sq = best_d;
    return best;
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
