// Squared Euclidean distances and the nearest-centroid rule shared by k-means, seg_assign and
// the metrics. Every squared distance in the core is the same sum, in feature order, of
// (a_j - b_j)^2 accumulated with add_square(), so the scalar, the vectorised and the pruned
// (Hamerly/Elkan) code paths agree bit for bit and seg_assign reproduces training labels.
#pragma once

#include <algorithm>
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
// to the lowest index. Stores the squared distance to it in *best_sq when best_sq != nullptr
// (+inf when it exceeds the double range: distance_from_squared gives the distance itself).
// A row far outside the centroids (see needs_wide_comparison) is labelled by
// nearest_centroid_wide instead, so 1e200 still gets the right cluster.
int32_t nearest_centroid(const double* x, const double* centroids, int32_t k, int32_t dims,
                         double* best_sq);

// True when the plain squared distances cannot tell the centroids apart: the best one
// overflowed, or x holds a coordinate beyond 2^40 and the two best distances agree to 2^-30
// (the centroids were absorbed in x_j - c_j). Rows a model was trained on never qualify.
bool needs_wide_comparison(const double* x, int32_t dims, double best_sq, double second_sq);

// nearest_centroid for finite coordinates of any size: compares ||c||^2 - 2 x.c (the squared
// distance less the common ||x||^2) of two centroids at a time in extended precision, as a
// sum over the coordinates where they differ, so nothing overflows and no centroid is
// absorbed by a huge coordinate of x (centroids tied there are told apart by the others).
// Ties go to the lowest index. extra, when not null, holds k further costs added to each
// centroid's (k-prototypes' mismatch costs).
int32_t nearest_centroid_wide(const double* x, const double* centroids, int32_t k,
                              int32_t dims, const double* extra = nullptr);

// Euclidean distance between a and b without overflow in the squares (finite unless the
// distance itself exceeds the double range).
double euclidean_distance(const double* a, const double* b, int32_t dims);

// The Euclidean distance from x to centroid c given its squared distance sq: sqrt(sq) when
// sq is finite, else recomputed without overflow.
inline double distance_from_squared(double sq, const double* x, const double* centroids,
                                    int32_t c, int32_t dims) {
    return sq <= std::numeric_limits<double>::max()
               ? std::sqrt(sq)
               : euclidean_distance(x, centroids + static_cast<int64_t>(c) * dims, dims);
}

// Columns padded to a multiple of this in the transposed centre layout below.
constexpr int32_t kCenterPad = 4;

// Rounds k up to a multiple of kCenterPad (the row stride of a transposed centre block).
inline int32_t padded_centers(int32_t k) { return (k + kCenterPad - 1) / kCenterPad * kCenterPad; }

// Writes the centres (k rows of dims, row-major) transposed into ct: dims rows of stride
// values, stride = padded_centers(k); the padding columns are zero.
void transpose_centers(const double* centers, int32_t k, int32_t dims, double* ct);

// Rows squared_distances_block takes at once.
constexpr int32_t kRowBlock = 4;

namespace detail {

// Squared distances from R rows of x (dims values each) to S consecutive centres of a
// transposed block (row stride ct_stride) into out[c * out_stride + r]. R * S / 4 independent
// FMA chains keep the loop throughput-bound; each sum is the scalar one, term by term.
template <int32_t R, int32_t S>
inline void distance_tile(const double* __restrict__ x, int32_t dims, const double* __restrict__ ct,
                          int32_t ct_stride, double* __restrict__ out, int32_t out_stride) {
    double acc[R][S];
    for (int32_t r = 0; r < R; ++r)
        for (int32_t c = 0; c < S; ++c) acc[r][c] = 0.0;
    for (int32_t j = 0; j < dims; ++j) {
        const double* row = ct + static_cast<int64_t>(j) * ct_stride;
#pragma GCC unroll 4
        for (int32_t r = 0; r < R; ++r) {
            const double xj = x[static_cast<int64_t>(r) * dims + j];
#pragma GCC unroll 16
            for (int32_t c = 0; c < S; ++c) acc[r][c] = add_square(acc[r][c], xj - row[c]);
        }
    }
#pragma GCC unroll 16
    for (int32_t c = 0; c < S; ++c) {
#pragma GCC unroll 4
        for (int32_t r = 0; r < R; ++r) out[static_cast<int64_t>(c) * out_stride + r] = acc[r][c];
    }
}

// distance_tile over all stride (a multiple of 4) centres: one tile up to 16 centres for a
// single row, tiles of 8 and 4 centres for a block.
template <int32_t R>
inline void distance_tiles(const double* x, int32_t dims, const double* ct, int32_t stride,
                           double* out, int32_t out_stride) {
    if constexpr (R == 1) {
        switch (stride) {
            case 4:
                distance_tile<1, 4>(x, dims, ct, 4, out, out_stride);
                return;
            case 8:
                distance_tile<1, 8>(x, dims, ct, 8, out, out_stride);
                return;
            case 12:
                distance_tile<1, 12>(x, dims, ct, 12, out, out_stride);
                return;
            case 16:
                distance_tile<1, 16>(x, dims, ct, 16, out, out_stride);
                return;
            default:
                break;
        }
    }
    int32_t c0 = 0;
    for (; c0 + 8 <= stride; c0 += 8)
        distance_tile<R, 8>(x, dims, ct + c0, stride, out + static_cast<int64_t>(c0) * out_stride,
                            out_stride);
    if (c0 < stride)
        distance_tile<R, 4>(x, dims, ct + c0, stride, out + static_cast<int64_t>(c0) * out_stride,
                            out_stride);
}

}  // namespace detail

// out[c] = squared_distance(x, centre c) for every c < stride, bit-identical to the scalar
// function (same terms, same order, same add_square), from the transposed block ct (see
// transpose_centers); vectorised across centres. out must hold stride values and not overlap
// x or ct; the padding entries are distances to the zero padding.
void squared_distances_to_centers(const double* x, const double* ct, int32_t stride, int32_t dims,
                                  double* out);

// The same for `rows` (<= kRowBlock) consecutive rows of x, centre-major:
// out[c * kRowBlock + r] for c < stride, r < rows (out holds stride * kRowBlock values; the
// entries of rows >= rows are left alone). Out of line on purpose: inlined into a large loop
// the kernel loses its register allocation (measured 2-3x slower).
void squared_distances_block(const double* x, int32_t rows, const double* ct, int32_t stride,
                             int32_t dims, double* out);

// Squared distances from kRowBlock consecutive rows of x to one point c, bit-identical to
// squared_distance (one independent chain per row).
inline void squared_distances_rows_to_point(const double* __restrict__ x,
                                            const double* __restrict__ c, int32_t dims,
                                            double* __restrict__ out) {
    double acc[kRowBlock] = {0.0, 0.0, 0.0, 0.0};
    for (int32_t j = 0; j < dims; ++j) {
        const double cj = c[j];
#pragma GCC unroll 4
        for (int32_t r = 0; r < kRowBlock; ++r)
            acc[r] = add_square(acc[r], x[static_cast<int64_t>(r) * dims + j] - cj);
    }
    for (int32_t r = 0; r < kRowBlock; ++r) out[r] = acc[r];
}

// For each of the kRowBlock rows of a centre-major block v (v[c * kRowBlock + r], k >= 1
// centres): the nearest centre, exactly as a sequential scan with a strict "<" finds it (lowest
// index on a tie), into idx[r] and its squared distance into d1[r]; with Second, also the
// second-smallest squared distance (equal to d1 on a tie, +inf for k = 1) into d2[r].
// Branch-free and vectorised across the rows (GCC/Clang vector extensions, which compile to
// plain SSE2 without -march; a scalar loop elsewhere).
template <bool Second>
inline void nearest_in_block(const double* __restrict__ v, int32_t k, int64_t* __restrict__ idx,
                             double* __restrict__ d1, double* __restrict__ d2) {
    static_assert(kRowBlock == 4, "the vector code below handles 4 rows");
#if defined(__GNUC__) || defined(__clang__)
    typedef double V4d __attribute__((vector_size(32)));
    typedef int64_t V4i __attribute__((vector_size(32)));
    constexpr double inf = std::numeric_limits<double>::infinity();
    V4d b1, b2 = {inf, inf, inf, inf};
    V4i bi = {0, 0, 0, 0};
    __builtin_memcpy(&b1, v, sizeof b1);
    for (int32_t c = 1; c < k; ++c) {
        V4d x;
        __builtin_memcpy(&x, v + static_cast<int64_t>(c) * kRowBlock, sizeof x);
        const V4i lt = x < b1;
        if constexpr (Second) b2 = lt ? b1 : (x < b2 ? x : b2);
        b1 = lt ? x : b1;
        const V4i cc = {c, c, c, c};
        bi = lt ? cc : bi;
    }
    __builtin_memcpy(idx, &bi, sizeof bi);
    __builtin_memcpy(d1, &b1, sizeof b1);
    if constexpr (Second) __builtin_memcpy(d2, &b2, sizeof b2);
#else
    for (int32_t r = 0; r < kRowBlock; ++r) {
        double b1 = v[r], b2 = std::numeric_limits<double>::infinity();
        int64_t bi = 0;
        for (int32_t c = 1; c < k; ++c) {
            const double x = v[static_cast<int64_t>(c) * kRowBlock + r];
            if (x < b1) {
                b2 = b1;
                b1 = x;
                bi = c;
            } else if (x < b2) {
                b2 = x;
            }
        }
        idx[r] = bi;
        d1[r] = b1;
        if constexpr (Second) d2[r] = b2;
    }
#endif
}

// The nearest of k >= 1 centres from their squared distances v[0 .. k): the lowest index
// holding the smallest value, its value in *d1 and, when d2 != nullptr, the second-smallest
// value (equal to *d1 on a tie; +inf when k = 1) in *d2. Branch-free (min, max and a
// conditional move: the same results as the scan "if (v < b1) {b2 = b1; b1 = v;} else if
// (v < b2) b2 = v;", NaN included): a data-dependent branch here mispredicts for most rows,
// and seg_assign waited for the whole row's preparation to resolve it.
inline int32_t nearest_of(const double* v, int32_t k, double* d1, double* d2) {
    int32_t a = 0;
    double b1 = v[0], b2 = std::numeric_limits<double>::infinity();
    for (int32_t c = 1; c < k; ++c) {
        const double x = v[c];
        const int32_t lt = x < b1;  // a select written as arithmetic: GCC keeps it a select
        a += (c - a) & -lt;
        b2 = std::max(std::min(b2, x), b1);  // (m < b1) ? b1 : m, m = (x < b2) ? x : b2
        b1 = std::min(b1, x);                // (x < b1) ? x : b1
    }
    *d1 = b1;
    if (d2 != nullptr) *d2 = b2;
    return a;
}

}  // namespace cseg
