// Squared Euclidean distances and the nearest-centroid rule shared by k-means, seg_assign and
// the metrics. Every squared distance in the core is the same sum, in feature order, of
// (a_j - b_j)^2 accumulated with add_square(), so the scalar, the vectorised and the pruned
// (Hamerly/Elkan) code paths agree bit for bit and seg_assign reproduces training labels.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace cseg {

// acc + t*t with one rounding (FMA) when the target has a hardware FMA, else with two. Written
// out explicitly so the compiler's contraction choices can never make two code paths differ.
inline double add_square(double acc, double t) {
#if defined(FP_FAST_FMA) || defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    return std::fma(t, t, acc);
#else
    return acc + t * t;
#endif
}

// Sum over j of (a[j] - b[j])^2, in order j = 0 .. dims-1.
inline double squared_distance(const double* a, const double* b, int32_t dims) {
    double acc = 0.0;
    for (int32_t j = 0; j < dims; ++j) acc = add_square(acc, a[j] - b[j]);
    return acc;
}

// Index of the centroid nearest to x (k >= 1 centroids of dims values, row-major); ties go
// to the lowest index. Stores the squared distance to it in *best_sq when best_sq != nullptr.
int32_t nearest_centroid(const double* x, const double* centroids, int32_t k, int32_t dims,
                         double* best_sq);

// Columns padded to a multiple of this in the transposed centre layout below.
constexpr int32_t kCenterPad = 4;

// Rounds k up to a multiple of kCenterPad (the row stride of a transposed centre block).
inline int32_t padded_centers(int32_t k) { return (k + kCenterPad - 1) / kCenterPad * kCenterPad; }

// Writes the centres (k rows of dims, row-major) transposed into ct: dims rows of stride
// values, stride = padded_centers(k); the padding columns are zero.
void transpose_centers(const double* centers, int32_t k, int32_t dims, double* ct);

namespace detail {

// The kernel below for a compile-time stride: the accumulators stay in vector registers.
template <int32_t S>
inline void squared_distances_fixed(const double* __restrict__ x, const double* __restrict__ ct,
                                    int32_t dims, double* __restrict__ out) {
    double acc[S];
    for (int32_t c = 0; c < S; ++c) acc[c] = 0.0;
    for (int32_t j = 0; j < dims; ++j) {
        const double xj = x[j];
        const double* row = ct + static_cast<int64_t>(j) * S;
        for (int32_t c = 0; c < S; ++c) acc[c] = add_square(acc[c], xj - row[c]);
    }
    for (int32_t c = 0; c < S; ++c) out[c] = acc[c];
}

// The kernel below for any stride, accumulating in out.
inline void squared_distances_any(const double* __restrict__ x, const double* __restrict__ ct,
                                  int32_t stride, int32_t dims, double* __restrict__ out) {
    for (int32_t c = 0; c < stride; ++c) out[c] = 0.0;
    for (int32_t j = 0; j < dims; ++j) {
        const double xj = x[j];
        const double* row = ct + static_cast<int64_t>(j) * stride;
        for (int32_t c = 0; c < stride; ++c) out[c] = add_square(out[c], xj - row[c]);
    }
}

}  // namespace detail

// out[c] = squared_distance(x, centre c) for every c < stride, bit-identical to the scalar
// function (same terms, same order, same add_square), from the transposed block ct (see
// transpose_centers); vectorised across centres. out must hold stride values and not overlap
// x or ct; the padding entries are distances to the zero padding.
inline void squared_distances_to_centers(const double* x, const double* ct, int32_t stride,
                                         int32_t dims, double* out) {
    switch (stride) {
        case 4: detail::squared_distances_fixed<4>(x, ct, dims, out); break;
        case 8: detail::squared_distances_fixed<8>(x, ct, dims, out); break;
        case 12: detail::squared_distances_fixed<12>(x, ct, dims, out); break;
        case 16: detail::squared_distances_fixed<16>(x, ct, dims, out); break;
        default: detail::squared_distances_any(x, ct, stride, dims, out); break;
    }
}

// Most rows squared_distances_rows_to_centers takes at once.
constexpr int32_t kRowBlock = 4;

namespace detail {

// R rows against S centres at once: R * S / 4 independent FMA chains instead of S / 4, so
// the loop is throughput-bound, not latency-bound. Same sums in the same order as above.
template <int32_t R, int32_t S>
inline void squared_distances_rows_fixed(const double* __restrict__ x, int32_t dims,
                                         const double* __restrict__ ct,
                                         double* __restrict__ out) {
    double acc[R][S];
    for (int32_t r = 0; r < R; ++r)
        for (int32_t c = 0; c < S; ++c) acc[r][c] = 0.0;
    for (int32_t j = 0; j < dims; ++j) {
        const double* row = ct + static_cast<int64_t>(j) * S;
#pragma GCC unroll 4
        for (int32_t r = 0; r < R; ++r) {
            const double xj = x[static_cast<int64_t>(r) * dims + j];
#pragma GCC unroll 16
            for (int32_t c = 0; c < S; ++c) acc[r][c] = add_square(acc[r][c], xj - row[c]);
        }
    }
    for (int32_t r = 0; r < R; ++r)
        for (int32_t c = 0; c < S; ++c) out[r * S + c] = acc[r][c];
}

}  // namespace detail

// squared_distances_to_centers for `rows` (<= kRowBlock) consecutive rows of x (dims values
// each): out[r * stride + c], bit-identical to the single-row version.
inline void squared_distances_rows_to_centers(const double* x, int32_t rows, const double* ct,
                                              int32_t stride, int32_t dims, double* out) {
    if (rows == kRowBlock) {
        switch (stride) {
            case 4: detail::squared_distances_rows_fixed<4, 4>(x, dims, ct, out); return;
            case 8: detail::squared_distances_rows_fixed<4, 8>(x, dims, ct, out); return;
            case 12:
            case 16:
                for (int32_t r = 0; r < kRowBlock; r += 2) {
                    const double* xr = x + static_cast<int64_t>(r) * dims;
                    double* o = out + static_cast<int64_t>(r) * stride;
                    if (stride == 12) detail::squared_distances_rows_fixed<2, 12>(xr, dims, ct, o);
                    else detail::squared_distances_rows_fixed<2, 16>(xr, dims, ct, o);
                }
                return;
            default: break;
        }
    }
    for (int32_t r = 0; r < rows; ++r)
        squared_distances_to_centers(x + static_cast<int64_t>(r) * dims, ct, stride, dims,
                                     out + static_cast<int64_t>(r) * stride);
}

// Squared distances from kRowBlock consecutive rows of x to one point c, bit-identical to
// squared_distance (independent chains per row).
inline void squared_distances_rows_to_point(const double* __restrict__ x, const double* __restrict__ c,
                                            int32_t dims, double* __restrict__ out) {
    double acc[kRowBlock] = {0.0, 0.0, 0.0, 0.0};
    for (int32_t j = 0; j < dims; ++j) {
        const double cj = c[j];
#pragma GCC unroll 4
        for (int32_t r = 0; r < kRowBlock; ++r)
            acc[r] = add_square(acc[r], x[static_cast<int64_t>(r) * dims + j] - cj);
    }
    for (int32_t r = 0; r < kRowBlock; ++r) out[r] = acc[r];
}

namespace detail {

// Smallest of t[0 .. P) by a pairwise tree (P a power of two); exact, like any order of mins.
template <int32_t P>
inline double tree_min(const double* t) {
    if constexpr (P == 1) {
        return t[0];
    } else {
        double w[P / 2];
        for (int32_t c = 0; c < P / 2; ++c) w[c] = t[c + P / 2] < t[c] ? t[c + P / 2] : t[c];
        return tree_min<P / 2>(w);
    }
}

// nearest_of for k <= P (P a power of two): the min-tree value, then the first slot holding
// it from a comparison mask. Branch-free: no mispredicted exits on random labels.
template <int32_t P>
inline int32_t nearest_fixed(const double* v, int32_t k, double* d1, double* d2) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    double t[P];
    for (int32_t c = 0; c < P; ++c) t[c] = c < k ? v[c] : inf;
    const double m = tree_min<P>(t);
    uint32_t mask = 0;
    for (int32_t c = 0; c < P; ++c) mask |= static_cast<uint32_t>(t[c] == m) << c;
    const int32_t a = __builtin_ctz(mask);
    *d1 = m;
    if (d2 != nullptr) {
        t[a] = inf;
        *d2 = tree_min<P>(t);
    }
    return a;
}

}  // namespace detail

// The nearest of k >= 1 centres from their squared distances v[0 .. k): the lowest index
// holding the smallest value (what a scan with a strict "<" finds), its value in *d1 and,
// when d2 != nullptr, the second-smallest value (equal to *d1 on a tie; +inf when k = 1) in
// *d2. Values are never NaN.
inline int32_t nearest_of(const double* v, int32_t k, double* d1, double* d2) {
    if (k <= 4) return detail::nearest_fixed<4>(v, k, d1, d2);
    if (k <= 8) return detail::nearest_fixed<8>(v, k, d1, d2);
    if (k <= 16) return detail::nearest_fixed<16>(v, k, d1, d2);
    int32_t a = 0;
    double b1 = v[0], b2 = std::numeric_limits<double>::infinity();
    for (int32_t c = 1; c < k; ++c) {
        if (v[c] < b1) {
            b2 = b1;
            b1 = v[c];
            a = c;
        } else if (v[c] < b2) {
            b2 = v[c];
        }
    }
    *d1 = b1;
    if (d2 != nullptr) *d2 = b2;
    return a;
}

}  // namespace cseg
