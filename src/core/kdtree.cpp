// k-d tree nearest-neighbour search; see kdtree.hpp.
#include "kdtree.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

#include "distance.hpp"
#include "errors.hpp"

namespace cseg {

namespace {

// Points per bucket: a node with more is split. Both halves of a split keep >= kBucket / 2
// points, so a tree over n points has at most 4n / kBucket + 2 nodes.
#ifndef KDTREE_BUCKET
#define KDTREE_BUCKET 64
#endif
constexpr int64_t kBucket = KDTREE_BUCKET;

// The block's header: sizes, then the nodes, their boxes, the transposed points and the
// indices follow.
struct Header {
    int64_t n;
    int64_t node_count;
    int32_t d;
    int32_t reserved;
};

int64_t max_nodes(int64_t n) { return 4 * n / kBucket + 2; }

// Columns of the transposed points: every bucket's count rounded up to kCenterPad.
int64_t max_columns(int64_t n) { return n + (kCenterPad - 1) * max_nodes(n); }

// A bucket's padded width.
int64_t bucket_width(const KdTreeView::Node& b) {
    return (b.end - b.begin + kCenterPad - 1) / kCenterPad * kCenterPad;
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

}  // namespace

// Header, nodes, boxes, transposed points, indices.
size_t kdtree_bytes(int64_t n, int32_t d) {
    return sizeof(Header) + sizeof(KdTreeView::Node) * static_cast<size_t>(max_nodes(n)) +
           sizeof(double) * 2 * static_cast<size_t>(max_nodes(n)) * static_cast<size_t>(d) +
           sizeof(double) * static_cast<size_t>(max_columns(n)) * static_cast<size_t>(d) +
           sizeof(int64_t) * static_cast<size_t>(n);
}

// Splits, then writes every bucket's points transposed (padding columns at +infinity, so
// their distances are never below a real one) and the indices.
KdTreeView kdtree_build(const double* points, int64_t n, int32_t d, void* block) {
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "k-d tree over no points");
    auto* header = static_cast<Header*>(block);
    auto* nodes = reinterpret_cast<KdTreeView::Node*>(header + 1);
    auto* boxes = reinterpret_cast<double*>(nodes + max_nodes(n));
    auto* columns = boxes + 2 * max_nodes(n) * d;
    auto* index = reinterpret_cast<int64_t*>(columns + max_columns(n) * d);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    Builder builder(points, d, order, nodes, boxes);
    builder.build(0, n);
    *header = {n, builder.count(), d, 0};
    int64_t column = 0;
    for (int64_t i = 0; i < builder.count(); ++i) {
        KdTreeView::Node& b = nodes[i];
        if (b.right >= 0) continue;
        const int64_t w = bucket_width(b);
        b.column = column;
        double* out = columns + column * d;
        std::fill_n(out, w * d, std::numeric_limits<double>::infinity());
        for (int64_t p = b.begin; p < b.end; ++p)
            for (int32_t j = 0; j < d; ++j) out[j * w + (p - b.begin)] = points[order[p] * d + j];
        column += w;
    }
    std::copy(order.begin(), order.end(), index);
    return KdTreeView(block);
}

KdTreeView::KdTreeView(const void* block) {
    const auto* header = static_cast<const Header*>(block);
    n_ = header->n;
    d_ = header->d;
    nodes_ = reinterpret_cast<const Node*>(header + 1);
    boxes_ = reinterpret_cast<const double*>(nodes_ + max_nodes(n_));
    columns_ = boxes_ + 2 * max_nodes(n_) * d_;
    index_ = reinterpret_cast<const int64_t*>(columns_ + max_columns(n_) * d_);
}

#if defined(__GNUC__) || defined(__clang__)
typedef double V4d __attribute__((vector_size(32)));
typedef int64_t V4i __attribute__((vector_size(32)));
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

// Depth-first from the root: at an inner node both children's box distances are computed,
// the nearer child is entered and the farther pushed when its bound may still tie the best;
// a popped node whose bound no longer can is skipped.
int64_t KdTreeView::nearest(const double* x, double* best_sq) const {
    double best = std::numeric_limits<double>::infinity();
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
        if (!pruned) scan_bucket(nodes_[node], x, best, best_index);
    }
    if (best_sq != nullptr) *best_sq = best;
    return best_index;
}

}  // namespace cseg
