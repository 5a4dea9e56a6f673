// k-d tree nearest-neighbour search; see kdtree.hpp.
#include "kdtree.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>
#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "distance.hpp"
#include "errors.hpp"

namespace cseg {

namespace {

// Points per bucket: a node with more is split. Both halves of a split keep >= kBucket / 2
// points, so a tree over n points has at most 4n / kBucket + 2 nodes. With the float32 search
// (20,000 blob points x 8, 120,000 queries, loaded machine) 256 measured 2.14-2.26 us a query,
// 128: 2.27-2.43, 64: 2.58-2.86, 384 and 512: 2.20-2.38 (the float64 search at 64: 2.73-2.84).
#ifndef KDTREE_BUCKET
#define KDTREE_BUCKET 256
#endif
constexpr int64_t kBucket = KDTREE_BUCKET;

// The block's header: sizes, then the nodes, their boxes, the transposed points and the
// indices follow.
struct Header {
    int64_t n;
    int64_t node_count;
    double reach;  // R of the float32 search's error bound
    int32_t d;
    int32_t d32;   // as KdTreeView::d32_
};

int64_t max_nodes(int64_t n) { return 4 * n / kBucket + 2; }

// Columns of the transposed points: every bucket's count rounded up to kCenterPad.
int64_t max_columns(int64_t n) { return n + (kCenterPad - 1) * max_nodes(n); }

// A bucket's padded width.
int64_t bucket_width(const KdTreeView::Node& b) {
    return (b.end - b.begin + kCenterPad - 1) / kCenterPad * kCenterPad;
}

// The float32 search: lanes of a vector, the most coordinates it takes (the query's float32
// copy lives on the stack) and the largest |coordinate| it takes (squares and sums of 64 of
// them stay far inside the float32 range).
constexpr int64_t kLanes = 8;
constexpr int32_t kMaxDims32 = 64;
constexpr double kMax32 = 1e15;

// Coordinates of a float32 box (d rounded up to kLanes: the padding is 0 in the box and in
// the query, so it adds nothing), 0 when d is too large for the float32 search.
int32_t dims32(int32_t d) {
#if defined(__GNUC__) || defined(__clang__)
    return d <= kMaxDims32 ? int32_t((d + kLanes - 1) / kLanes * kLanes) : 0;
#else
    return 0;
#endif
}

// Float32 columns: every bucket's count rounded up to kLanes.
int64_t max_columns32(int64_t n) { return n + (kLanes - 1) * max_nodes(n); }

// A bucket's float32 padded width.
int64_t bucket_width32(const KdTreeView::Node& b) {
    return (b.end - b.begin + kLanes - 1) / kLanes * kLanes;
}

// Floats of the float32 boxes and columns.
size_t floats32(int64_t n, int32_t d) {
    const int32_t d32 = dims32(d);
    if (d32 == 0) return 0;
    return size_t(2 * max_nodes(n) * d32 + max_columns32(n) * d);
}

// Unit roundoff of float32, and an absolute term covering float32 underflow (subnormal
// differences and squares: at most 2^-149 each).
constexpr double kU = 0x1p-24;
constexpr double kTiny = 0x1p-140;

// v rounded to float32 downwards (Down) or upwards.
template <bool Down>
float round32(double v) {
    float f = static_cast<float>(v);
    if (Down ? double(f) > v : double(f) < v)
        f = std::nextafter(f, Down ? -std::numeric_limits<float>::infinity()
                                   : std::numeric_limits<float>::infinity());
    return f;
}

// A bound is compared with the best squared distance with this relative slack, so that
// rounding in the bound's sum (its terms are never larger than a point's, but they are added
// in another order) never prunes a point whose computed distance ties the best.
constexpr double kSlack = 1.0 + 1e-9;

// Entries of the search stack: at most one per level of the tree (depth <= 64 for any n).
constexpr int kStack = 128;

// Builds the subtree over order[begin, end) into nodes and boxes (appending, preorder).
class Builder {
  public:
    Builder(const double* points, int32_t d, std::vector<int64_t>& order, KdTreeView::Node* nodes,
            double* boxes)
        : points_(points), d_(d), order_(order), nodes_(nodes), boxes_(boxes) {}

    int64_t count() const { return count_; }

    // Records the box of order[begin, end), then splits it at the median of its widest
    // coordinate (ties by index), recursing down to buckets; returns the node's number.
    int32_t build(int64_t begin, int64_t end) {
        const int32_t id = static_cast<int32_t>(count_++);
        nodes_[id] = {begin, end, 0, -1, 0};
        double* lo = boxes_ + int64_t{id} * 2 * d_;
        double* hi = lo + d_;
        int32_t dim = 0;
        double widest = -1.0;
        for (int32_t f = 0; f < d_; ++f) {
            double l = std::numeric_limits<double>::infinity(), h = -l;
            for (int64_t p = begin; p < end; ++p) {
                const double v = points_[order_[p] * d_ + f];
                l = std::min(l, v);
                h = std::max(h, v);
            }
            lo[f] = l;
            hi[f] = h;
            if (h - l > widest) {
                widest = h - l;
                dim = f;
            }
        }
        if (end - begin <= kBucket) return id;
        if (!(widest > 0.0)) return id;  // all points equal: one bucket
        const int64_t mid = begin + (end - begin) / 2;
        std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
                         [&](int64_t a, int64_t b) {
                             const double va = points_[a * d_ + dim], vb = points_[b * d_ + dim];
                             return va < vb || (va == vb && a < b);
                         });
        build(begin, mid);  // number id + 1
        const int32_t right = build(mid, end);
        nodes_[id].right = right;
        return id;
    }

  private:
    const double* points_;
    int32_t d_;
    std::vector<int64_t>& order_;
    KdTreeView::Node* nodes_;
    double* boxes_;
    int64_t count_ = 0;
};

// Writes every bucket's points transposed into `columns` (double or float), bucket b taking
// width(b) columns with its padding at +infinity, and records where each bucket starts.
template <class T, class Width>
void transpose_buckets(KdTreeView::Node* nodes, int64_t count, const double* points,
                       const std::vector<int64_t>& order, int32_t d, T* columns, Width width) {
    int64_t column = 0;
    for (int64_t i = 0; i < count; ++i) {
        KdTreeView::Node& b = nodes[i];
        if (b.right >= 0) continue;
        const int64_t w = width(b);
        b.column = column;
        T* out = columns + column * d;
        std::fill_n(out, w * d, std::numeric_limits<T>::infinity());
        for (int64_t p = b.begin; p < b.end; ++p)
            for (int32_t j = 0; j < d; ++j)
                out[j * w + (p - b.begin)] = static_cast<T>(points[order[p] * d + j]);
        column += w;
    }
}

}  // namespace

// Doubles of the block after the indices: the float64 columns, or for the float32 search the
// points row by row in tree order, then the float32 boxes and columns.
size_t payload_doubles(int64_t n, int32_t d) {
    const size_t columns = size_t(max_columns(n)) * size_t(d);
    if (dims32(d) == 0) return columns;
    return std::max(columns, size_t(n) * size_t(d) + (floats32(n, d) + 1) / 2);
}

// group_covers' scratch: a group per node, a group per float32 column.
size_t kdtree_cover_scratch_bytes(int64_t n, int32_t d) {
    return sizeof(int64_t) * size_t(max_nodes(n)) +
           (dims32(d) > 0 ? (sizeof(int32_t) * size_t(max_columns32(n)) + 7) / 8 * 8 : 0);
}

// Header, nodes, boxes, indices, payload.
size_t kdtree_bytes(int64_t n, int32_t d) {
    return sizeof(Header) + sizeof(KdTreeView::Node) * static_cast<size_t>(max_nodes(n)) +
           sizeof(double) * 2 * static_cast<size_t>(max_nodes(n)) * static_cast<size_t>(d) +
           sizeof(int64_t) * static_cast<size_t>(n) + sizeof(double) * payload_doubles(n, d);
}

// Splits, then writes the indices and either every bucket's points transposed in float64
// (padding columns at +infinity, so their distances are never below a real one) or, when
// every |coordinate| is at most kMax32 and d at most kMaxDims32, the points row by row and the
// float32 boxes (rounded outwards) and transposed points (padding at +infinity).
KdTreeView kdtree_build(const double* points, int64_t n, int32_t d, void* block) {
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "k-d tree over no points");
    auto* header = static_cast<Header*>(block);
    auto* nodes = reinterpret_cast<KdTreeView::Node*>(header + 1);
    auto* boxes = reinterpret_cast<double*>(nodes + max_nodes(n));
    auto* index = reinterpret_cast<int64_t*>(boxes + 2 * max_nodes(n) * d);
    auto* payload = reinterpret_cast<double*>(index + n);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    Builder builder(points, d, order, nodes, boxes);
    builder.build(0, n);
    std::copy(order.begin(), order.end(), index);
    const int32_t d32 = dims32(d);
    std::vector<double> largest(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n * d; ++i)
        largest[size_t(i % d)] = std::max(largest[size_t(i % d)], std::fabs(points[i]));
    double reach = 0.0;
    bool small = d32 > 0;
    for (double v : largest) {
        small = small && v <= kMax32;  // false for NaN too
        reach += v * v;
    }
    *header = {n, builder.count(), std::sqrt(reach), d, small ? d32 : 0};
    if (!small) {
        transpose_buckets(nodes, builder.count(), points, order, d, payload, bucket_width);
        return KdTreeView(block);
    }
    for (int64_t p = 0; p < n; ++p) std::copy_n(points + order[p] * d, d, payload + p * d);
    auto* boxes32 = reinterpret_cast<float*>(payload + n * d);
    auto* columns32 = boxes32 + 2 * max_nodes(n) * d32;
    for (int64_t i = 0; i < builder.count(); ++i) {
        const double* lo = boxes + i * 2 * d;
        float* lo32 = boxes32 + i * 2 * d32;
        std::fill_n(lo32, 2 * d32, 0.0f);
        for (int32_t j = 0; j < d; ++j) {
            lo32[j] = round32<true>(lo[j]);
            lo32[d32 + j] = round32<false>(lo[d + j]);
        }
    }
    transpose_buckets(nodes, builder.count(), points, order, d, columns32, bucket_width32);
    return KdTreeView(block);
}

KdTreeView::KdTreeView(const void* block) {
    const auto* header = static_cast<const Header*>(block);
    n_ = header->n;
    node_count_ = header->node_count;
    d_ = header->d;
    reach_ = header->reach;
    d32_ = header->d32;
    nodes_ = reinterpret_cast<const Node*>(header + 1);
    boxes_ = reinterpret_cast<const double*>(nodes_ + max_nodes(n_));
    index_ = reinterpret_cast<const int64_t*>(boxes_ + 2 * max_nodes(n_) * d_);
    const double* payload = reinterpret_cast<const double*>(index_ + n_);
    if (d32_ == 0) {
        columns_ = payload;
        return;
    }
    rows_ = payload;
    boxes32_ = reinterpret_cast<const float*>(payload + n_ * d_);
    columns32_ = boxes32_ + 2 * max_nodes(n_) * d32_;
}

#if defined(__GNUC__) || defined(__clang__)
typedef double V4d __attribute__((vector_size(32)));
typedef int64_t V4i __attribute__((vector_size(32)));
typedef float V8f __attribute__((vector_size(32)));
typedef int32_t V8i __attribute__((vector_size(32)));
#endif

// Squared distance from x to the box of a node's points (0 inside it): no larger than any
// of its points' computed squared distances, up to the order of the additions.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline double KdTreeView::box_distance(int64_t node, const double* x) const {
    const double* lo = boxes_ + node * 2 * d_;
    const double* hi = lo + d_;
    int32_t j = 0;
    double sum = 0.0;
#if defined(__GNUC__) || defined(__clang__)
    V4d acc = {0.0, 0.0, 0.0, 0.0};
    const V4d zero = {0.0, 0.0, 0.0, 0.0};
    for (; j + 4 <= d_; j += 4) {
        V4d l, h, v;
        std::memcpy(&l, lo + j, sizeof l);
        std::memcpy(&h, hi + j, sizeof h);
        std::memcpy(&v, x + j, sizeof v);
        const V4d below = l - v, above = v - h;
        V4d gap = below > above ? below : above;
        gap = gap > zero ? gap : zero;
        acc += gap * gap;
    }
    sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
#endif
    for (; j < d_; ++j) {
        const double gap = std::max(std::max(lo[j] - x[j], x[j] - hi[j]), 0.0);
        sum += gap * gap;
    }
    return sum;
}

// True when one of the first `count` (4, 8, 12 or 16) of sq is <= best (padding columns hold
// +infinity, or NaN for an infinite query coordinate: neither passes unless best is +infinity).
inline bool any_at_most(const double* sq, int64_t count, double best) {
#if defined(__GNUC__) || defined(__clang__)
    const V4d b = {best, best, best, best};
    V4d low;
    std::memcpy(&low, sq, sizeof low);
    for (int64_t p = 4; p < count; p += 4) {
        V4d v;
        std::memcpy(&v, sq + p, sizeof v);
        low = v < low ? v : low;
    }
    const V4i hit = low <= b;
    return (hit[0] | hit[1] | hit[2] | hit[3]) != 0;
#else
    for (int64_t p = 0; p < count; ++p)
        if (sq[p] <= best) return true;
    return false;
#endif
}

// Distances to 16 points at a time (tiles of 4, 8, 12 or 16 columns); their minimum is
// compared with the best first, the points one by one only when it may beat or tie it.
void KdTreeView::scan_bucket(const Node& b, const double* x, double& best,
                             int64_t& best_index) const {
    if (columns_ == nullptr) {  // the float32 search's tree: its points row by row
        for (int64_t at = b.begin; at < b.end; ++at) {
            const double s = squared_distance(x, rows_ + at * d_, d_);
            if (s < best || (s == best && index_[at] < best_index)) {
                best = s;
                best_index = index_[at];
            }
        }
        return;
    }
    const int64_t w = bucket_width(b), m = b.end - b.begin;
    const double* blk = columns_ + b.column * d_;
    alignas(32) double sq[16];
    for (int64_t c0 = 0; c0 < m; c0 += 16) {
        const int64_t tile = std::min<int64_t>(16, w - c0);
        switch (tile) {
            case 4:
                detail::distance_tile<1, 4>(x, d_, blk + c0, int32_t(w), sq, 1);
                break;
            case 8:
                detail::distance_tile<1, 8>(x, d_, blk + c0, int32_t(w), sq, 1);
                break;
            case 12:
                detail::distance_tile<1, 12>(x, d_, blk + c0, int32_t(w), sq, 1);
                break;
            default:
                detail::distance_tile<1, 16>(x, d_, blk + c0, int32_t(w), sq, 1);
                break;
        }
        if (!any_at_most(sq, tile, best)) continue;
        const int64_t count = std::min<int64_t>(16, m - c0);
        for (int64_t p = 0; p < count; ++p) {
            const int64_t at = b.begin + c0 + p;
            if (sq[p] < best || (sq[p] == best && index_[at] < best_index)) {
                best = sq[p];
                best_index = index_[at];
            }
        }
    }
}

// The float64 search, for queries the float32 one does not take: depth-first from the root;
// at an inner node both children's box distances are computed, the nearer child is entered
// and the farther pushed when its bound may still tie the best; a popped node whose bound no
// longer can is skipped.
int64_t KdTreeView::nearest64(const double* x, double& best, const double* cover) const {
    int64_t best_index = std::numeric_limits<int64_t>::max();
    struct Entry {
        int64_t node;
        double bound;
    } stack[kStack];
    int top = 0;
    stack[top++] = {0, 0.0};
    while (top > 0) {
        const Entry e = stack[--top];
        if (e.bound > best * kSlack) continue;
        int64_t node = e.node;
        bool pruned = false;
        while (nodes_[node].right >= 0) {
            const int64_t left = node + 1, right = nodes_[node].right;
            const double bl = box_distance(left, x), br = box_distance(right, x);
            const bool left_first = bl <= br;
            const double limit = best * kSlack;
            if ((left_first ? bl : br) > limit) {  // the nearer child cannot tie: neither can
                pruned = true;
                break;
            }
            const double far_bound = left_first ? br : bl;
            if (far_bound <= limit) stack[top++] = {left_first ? right : left, far_bound};
            node = left_first ? left : right;
        }
        if (pruned) continue;
        scan_bucket(nodes_[node], x, best, best_index);
        if (cover != nullptr && best_index < n_ && best < cover[best_index]) break;
    }
    return best_index;
}

// The float32 search when the tree has its float32 copy and every |x_j| <= kMax32 (finite).
int64_t KdTreeView::nearest(const double* x, double* best_sq) const {
    double best = std::numeric_limits<double>::infinity();
    bool small = d32_ > 0;
    double norm = 0.0;
    for (int32_t j = 0; j < d_ && small; ++j) {
        small = std::fabs(x[j]) <= kMax32;
        norm += x[j] * x[j];
    }
    const int64_t best_index =
        small ? nearest32(x, std::sqrt(norm), best, nullptr) : nearest64(x, best, nullptr);
    if (best_sq != nullptr) *best_sq = best;
    return best_index;
}

// As nearest(), with the early stop after any bucket whose best point p has best < cover[p].
int64_t KdTreeView::nearest_in_group(const double* x, const double* cover) const {
    double best = std::numeric_limits<double>::infinity();
    bool small = d32_ > 0;
    double norm = 0.0;
    for (int32_t j = 0; j < d_ && small; ++j) {
        small = std::fabs(x[j]) <= kMax32;
        norm += x[j] * x[j];
    }
    return small ? nearest32(x, std::sqrt(norm), best, cover) : nearest64(x, best, cover);
}

// A lower bound on the squared distance from x (one of the tree's points) to the nearest point
// not in group g (+infinity when there is none), up to a relative 1e-9 (the pruning slack):
// nearest64's search over the float64 boxes, skipping nodes whose points are all in g
// (node_group[node] == g; -1 for mixed nodes). A bucket's points are measured in float32 when
// the tree has its float32 copy (column_group: the float32 columns' groups; the bound is then
// (sqrt(f / (1 + 2(d + 2)u)) - E)^2 from the float32 sum f, kdtree.hpp's E for x), otherwise in
// float64 (the computed squared distances).
double KdTreeView::nearest_other(const double* x, int64_t g, const double* points,
                                 const int64_t* group, const int64_t* node_group,
                                 const int32_t* column_group) const {
    double best = std::numeric_limits<double>::infinity();
    double norm = 0.0;
    alignas(32) float xf[kMaxDims32] = {};
    for (int32_t j = 0; j < d_; ++j) {
        norm += x[j] * x[j];
        if (column_group != nullptr) xf[j] = static_cast<float>(x[j]);
    }
    const double error = 4.0 * kU * (std::sqrt(norm) + reach_) + d_ * kTiny;
    struct Entry {
        int64_t node;
        double bound;
    } stack[kStack];
    int top = 0;
    if (node_group[0] != g) stack[top++] = {0, 0.0};
    while (top > 0) {
        const Entry e = stack[--top];
        if (e.bound > best * kSlack) continue;
        int64_t node = e.node;
        bool pruned = false;
        while (nodes_[node].right >= 0) {
            const int64_t left = node + 1, right = nodes_[node].right;
            const bool use_l = node_group[left] != g, use_r = node_group[right] != g;
            const double inf = std::numeric_limits<double>::infinity();
            const double bl = use_l ? box_distance(left, x) : inf;
            const double br = use_r ? box_distance(right, x) : inf;
            const bool left_first = use_l && (!use_r || bl <= br);
            const double limit = best * kSlack;
            if ((left_first ? bl : br) > limit) {
                pruned = true;
                break;
            }
            const double far_bound = left_first ? br : bl;
            if ((left_first ? use_r : use_l) && far_bound <= limit)
                stack[top++] = {left_first ? right : left, far_bound};
            node = left_first ? left : right;
        }
        if (pruned) continue;
        const Node& b = nodes_[node];
        if (column_group != nullptr) {
            const double f = min_other32(xf, b, column_group + b.column, int32_t(g));
            if (!(f < std::numeric_limits<double>::infinity())) continue;
            const double r =
                std::sqrt(std::max(0.0, f - d_ * kTiny) / (1.0 + 2.0 * (d_ + 2) * kU)) - error;
            best = std::min(best, r > 0.0 ? r * r * (1.0 - 1e-9) : 0.0);
            continue;
        }
        for (int64_t at = b.begin; at < b.end; ++at) {
            const int64_t i = index_[at];
            if (group[i] != g) best = std::min(best, squared_distance(x, points + i * d_, d_));
        }
    }
    return best;
}

// Covers (kdtree.hpp): with m the lower bound of nearest_other on the squared distance M^2
// from p to the nearest point of another group (or a computed squared distance, at most
// (1 + 1e-9)(1 + (d + 2) 2^-53) M^2 + d 2^-1070), a relative 1e-6 and an absolute d 2^-900
// taken off cover every rounding: a computed squared distance s(x, p) < cover[p] means the
// true distance t from x to p is below (1 - 1e-6) M / 2, so every point of another group is at
// a true distance >= M - t > t (1 + 1e-6), and its computed squared distance is above s(x, p):
// strictly, so no tie rule can pick it. An overflowed m (+infinity with another group) means
// M^2 is at least about the largest double.
void KdTreeView::group_covers(const double* points, const int64_t* group, double* cover,
                              void* scratch, const Interrupt& interrupt) const {
    int64_t* node_group = static_cast<int64_t*>(scratch);
    int32_t* column_group = reinterpret_cast<int32_t*>(node_group + max_nodes(n_));
    if (d32_ > 0) std::fill_n(column_group, max_columns32(n_), -1);
    for (int64_t i = node_count_ - 1; i >= 0; --i) {  // children follow their parent
        const Node& b = nodes_[i];
        int64_t g;
        if (b.right >= 0) {
            const int64_t l = node_group[size_t(i + 1)], r = node_group[size_t(b.right)];
            g = l == r ? l : -1;
        } else {
            g = group[index_[b.begin]];
            for (int64_t at = b.begin; at < b.end; ++at) {
                if (group[index_[at]] != g) g = -1;
                if (d32_ > 0)
                    column_group[size_t(b.column + at - b.begin)] = int32_t(group[index_[at]]);
            }
        }
        node_group[size_t(i)] = g;
    }
    const int32_t* columns = d32_ > 0 ? column_group : nullptr;
    const double absolute = d_ * 0x1p-900, inf = std::numeric_limits<double>::infinity();
    for (int64_t at = 0; at < n_; ++at) {  // tree order: neighbours follow each other
        if ((at & 255) == 0) interrupt.poll();
        const int64_t i = index_[at];
        const double m =
            nearest_other(points + i * d_, group[i], points, group, node_group, columns);
        if (m == inf)
            cover[i] = node_group[0] >= 0 ? inf
                                          : std::numeric_limits<double>::max() * 0.25 * (1.0 - 1e-6);
        else
            cover[i] = std::max(0.0, (m * (1.0 - 1e-6) - absolute) * 0.25 * (1.0 - 1e-6));
    }
}

// The limit T of kdtree.hpp for the best squared distance so far and the float32 error E of
// the query, rounded up to float32 (+infinity while there is no best).
float KdTreeView::threshold32(double best, double error) const {
    const float inf = std::numeric_limits<float>::infinity();
    if (!(best < std::numeric_limits<double>::infinity())) return inf;
    const double r = std::sqrt(best * kSlack) + error;
    const double t = ((1.0 + 2.0 * (d_ + 2) * kU) * r * r + d_ * kTiny) * (1.0 + 1e-6);
    return t < double(std::numeric_limits<float>::max()) ? static_cast<float>(t) : inf;
}

#if defined(__GNUC__) || defined(__clang__)

namespace {

// A float32 vector of v in every lane.
inline V8f splat(float v) { return V8f{v, v, v, v, v, v, v, v}; }

// The float32 squared gaps from xf to a float32 box (d32 coordinates, the padding 0 in both),
// summed lane by lane.
__attribute__((always_inline)) inline V8f box_gaps32(const float* lo, const float* xf,
                                                     int32_t d32) {
    const float* hi = lo + d32;
    const V8f zero = splat(0.0f);
    V8f acc = zero;
    for (int32_t j = 0; j < d32; j += int32_t(kLanes)) {
        V8f l, h, v;
        std::memcpy(&l, lo + j, sizeof l);
        std::memcpy(&h, hi + j, sizeof h);
        std::memcpy(&v, xf + j, sizeof v);
        const V8f below = l - v, above = v - h;
        V8f gap = below > above ? below : above;
        gap = gap > zero ? gap : zero;
        acc += gap * gap;
    }
    return acc;
}

// Float32 squared distances from xf to two boxes (their lanes added pairwise) into *a, *b.
__attribute__((always_inline)) inline void box_distances32(const float* lo_a, const float* lo_b,
                                                           const float* xf, int32_t d32,
                                                           float* a, float* b) {
    const V8f ga = box_gaps32(lo_a, xf, d32), gb = box_gaps32(lo_b, xf, d32);
#if defined(__AVX__)
    __m256 h = _mm256_hadd_ps(reinterpret_cast<__m256>(ga), reinterpret_cast<__m256>(gb));
    h = _mm256_hadd_ps(h, h);  // a0..3, b0..3, a0..3, b0..3 | the same for lanes 4..7
    const __m128 sum = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    *a = _mm_cvtss_f32(sum);
    *b = _mm_cvtss_f32(_mm_shuffle_ps(sum, sum, 1));
#else
    *a = ((ga[0] + ga[1]) + (ga[2] + ga[3])) + ((ga[4] + ga[5]) + (ga[6] + ga[7]));
    *b = ((gb[0] + gb[1]) + (gb[2] + gb[3])) + ((gb[4] + gb[5]) + (gb[6] + gb[7]));
#endif
}

// True when some lane of v is <= limit (false for NaN lanes).
inline bool any_lane_at_most(V8f v, float limit) {
    const V8i hit = v <= splat(limit);
#if defined(__AVX__)
    return _mm256_movemask_ps(reinterpret_cast<__m256>(hit)) != 0;
#else
    return ((hit[0] | hit[1]) | (hit[2] | hit[3]) | (hit[4] | hit[5]) | (hit[6] | hit[7])) != 0;
#endif
}

// Float32 squared distances from xf to G * 8 columns of a float32 bucket block (rows of
// `stride` floats, d of them) into out; false (out unfinished) as soon as every partial sum,
// checked every 4 coordinates, is above limit: sums of squares only grow (rounding is
// monotone), so none of the tile's distances can be at or below it.
template <int G>
inline bool distance_tile32(const float* xf, int32_t d, const float* blk, int64_t stride,
                            float limit, float* out) {
    V8f acc[G];
    for (int g = 0; g < G; ++g) acc[g] = splat(0.0f);
    for (int32_t j0 = 0; j0 < d; j0 += 4) {
        auto step = [&](int32_t j) {
            const V8f xv = splat(xf[j]);
            const float* row = blk + j * stride;
#pragma GCC unroll 4
            for (int g = 0; g < G; ++g) {
                V8f v;
                std::memcpy(&v, row + g * kLanes, sizeof v);
                const V8f t = xv - v;
                acc[g] += t * t;
            }
        };
        if (j0 + 4 <= d) {  // unrolled
            step(j0);
            step(j0 + 1);
            step(j0 + 2);
            step(j0 + 3);
        } else {
            for (int32_t j = j0; j < d; ++j) step(j);
        }
        V8f low = acc[0];
        for (int g = 1; g < G; ++g) low = acc[g] < low ? acc[g] : low;
        if (!any_lane_at_most(low, limit)) return false;
    }
    for (int g = 0; g < G; ++g) std::memcpy(out + g * kLanes, &acc[g], sizeof acc[g]);
    return true;
}

}  // namespace

// Float32 distances to 32 points at a time; the points at or below limit are measured in
// float64 and taken by the float64 rule ("<", or "==" and a lower index). When there is no
// best yet (limit +infinity), the float32-nearest point of the first tile is measured first so
// that a finite limit filters the rest. Returns true when the best changed.
bool KdTreeView::scan_bucket32(const Node& b, const double* x, const float* xf, double error,
                               float limit, double& best, int64_t& best_index) const {
    const int64_t w = bucket_width32(b), m = b.end - b.begin;
    const float* blk = columns32_ + b.column * d_;
    alignas(32) float sq[32];
    bool changed = false;
    auto take = [&](int64_t p) {  // p: position in the bucket, measured in float64
        const int64_t at = b.begin + p;
        const double s = squared_distance(x, rows_ + at * d_, d_);
        if (s < best || (s == best && index_[at] < best_index)) {
            best = s;
            best_index = index_[at];
            changed = true;
        }
    };
    for (int64_t c0 = 0; c0 < m; c0 += 32) {
        const int64_t tile = std::min<int64_t>(32, w - c0);
        bool near;
        switch (tile) {
            case 8:
                near = distance_tile32<1>(xf, d_, blk + c0, w, limit, sq);
                break;
            case 16:
                near = distance_tile32<2>(xf, d_, blk + c0, w, limit, sq);
                break;
            case 24:
                near = distance_tile32<3>(xf, d_, blk + c0, w, limit, sq);
                break;
            default:
                near = distance_tile32<4>(xf, d_, blk + c0, w, limit, sq);
                break;
        }
        if (!near) continue;
        const int64_t count = std::min<int64_t>(32, m - c0);
        if (!(best < std::numeric_limits<double>::infinity())) {
            int64_t first = 0;
            for (int64_t p = 1; p < count; ++p)
                if (sq[p] < sq[first]) first = p;
            take(c0 + first);
            limit = threshold32(best, error);
        }
        for (int64_t p = 0; p < count; ++p) {
            if (!(sq[p] <= limit)) continue;
            const double before = best;
            take(c0 + p);
            if (best != before) limit = threshold32(best, error);
        }
    }
    return changed;
}

// The smallest float32 squared distance from xf to a float32 bucket's points whose group
// (groups: the bucket's columns') is not g; +infinity when there is none.
float KdTreeView::min_other32(const float* xf, const Node& b, const int32_t* groups,
                              int32_t g) const {
    const int64_t w = bucket_width32(b);
    const float* blk = columns32_ + b.column * d_;
    const V8f inf = splat(std::numeric_limits<float>::infinity());
    const V8i mine = {g, g, g, g, g, g, g, g};
    V8f low = inf;
    for (int64_t c0 = 0; c0 < w; c0 += kLanes) {
        V8f acc = splat(0.0f);
        for (int32_t j = 0; j < d_; ++j) {
            V8f v;
            std::memcpy(&v, blk + j * w + c0, sizeof v);
            const V8f t = splat(xf[j]) - v;
            acc += t * t;
        }
        V8i lane;
        std::memcpy(&lane, groups + c0, sizeof lane);
        acc = lane == mine ? inf : acc;
        low = acc < low ? acc : low;
    }
    float m = low[0];
    for (int l = 1; l < int(kLanes); ++l) m = std::min(m, low[l]);
    return m;
}

// As nearest64 on the float32 boxes with the limit T of kdtree.hpp for the best so far.
int64_t KdTreeView::nearest32(const double* x, double norm, double& best,
                              const double* cover) const {
    alignas(32) float xf[kMaxDims32];
    for (int32_t j = 0; j < d32_; ++j) xf[j] = j < d_ ? static_cast<float>(x[j]) : 0.0f;
    const double error = 4.0 * kU * (norm + reach_) + d_ * kTiny;  // E of kdtree.hpp
    int64_t best_index = std::numeric_limits<int64_t>::max();
    float limit = std::numeric_limits<float>::infinity();
    struct Entry {
        int64_t node;
        float bound;
    } stack[kStack];
    int top = 0;
    stack[top++] = {0, 0.0f};
    while (top > 0) {
        const Entry e = stack[--top];
        if (e.bound > limit) continue;
        int64_t node = e.node;
        bool pruned = false;
        while (nodes_[node].right >= 0) {
            const int64_t left = node + 1, right = nodes_[node].right;
            float bl, br;
            box_distances32(boxes32_ + left * 2 * d32_, boxes32_ + right * 2 * d32_, xf, d32_, &bl,
                            &br);
            const bool left_first = bl <= br;
            if ((left_first ? bl : br) > limit) {
                pruned = true;
                break;
            }
            const float far_bound = left_first ? br : bl;
            if (far_bound <= limit) stack[top++] = {left_first ? right : left, far_bound};
            node = left_first ? left : right;
        }
        if (!pruned && scan_bucket32(nodes_[node], x, xf, error, limit, best, best_index)) {
            if (cover != nullptr && best < cover[best_index]) break;
            limit = threshold32(best, error);
        }
    }
    return best_index;
}

#else

// Without vector extensions the float32 copy is never made (dims32 is 0).
float KdTreeView::min_other32(const float*, const Node&, const int32_t*, int32_t) const {
    return std::numeric_limits<float>::infinity();
}

int64_t KdTreeView::nearest32(const double* x, double, double& best, const double* cover) const {
    return nearest64(x, best, cover);
}

#endif

}  // namespace cseg
