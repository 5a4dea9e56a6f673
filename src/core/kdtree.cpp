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

// Points per bucket: a node with more is split. Both halves of a split keep >= 8 points, so
// a tree over n points has at most n / 4 + 2 nodes (max_nodes keeps a wider bound).
constexpr int64_t kBucket = 16;

// The block's header: sizes, then the nodes, the transposed points and the indices follow.
struct Header {
    int64_t n;
    int64_t node_count;
    int32_t d;
    int32_t reserved;
};

int64_t max_nodes(int64_t n) { return n / 2 + 2; }

// Coordinates whose box gaps the search keeps (on the stack); beyond them only split gaps.
constexpr int32_t kMaxBoxDims = 64;

// Columns of the transposed points: every bucket's count rounded up to kCenterPad, plus two
// for its bounding box (lowest, highest coordinates).
int64_t max_columns(int64_t n) { return n + (kCenterPad + 1) * max_nodes(n); }

// A bucket's padded width.
int64_t bucket_width(const KdTreeView::Node& b) {
    return (b.end - b.begin + kCenterPad - 1) / kCenterPad * kCenterPad;
}

// Builds the subtree over order[begin, end) into nodes (appending); returns its number.
class Builder {
  public:
    Builder(const double* points, int32_t d, std::vector<int64_t>& order, KdTreeView::Node* nodes)
        : points_(points), d_(d), order_(order), nodes_(nodes) {}

    int64_t count() const { return count_; }

    // Splits order[begin, end) at the median of its widest coordinate (ties by index),
    // recursing down to buckets.
    int32_t build(int64_t begin, int64_t end) {
        const int32_t id = static_cast<int32_t>(count_++);
        nodes_[id] = {begin, end, 0.0, -1, -1, -1, 0, 0};
        if (end - begin <= kBucket) return id;
        int32_t dim = 0;
        double widest = -1.0;
        for (int32_t f = 0; f < d_; ++f) {
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (int64_t p = begin; p < end; ++p) {
                const double v = points_[order_[p] * d_ + f];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            if (hi - lo > widest) {
                widest = hi - lo;
                dim = f;
            }
        }
        if (!(widest > 0.0)) return id;  // all points equal: one bucket
        const int64_t mid = begin + (end - begin) / 2;
        std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
                         [&](int64_t a, int64_t b) {
                             const double va = points_[a * d_ + dim], vb = points_[b * d_ + dim];
                             return va < vb || (va == vb && a < b);
                         });
        const double split = points_[order_[mid] * d_ + dim];
        const int32_t left = build(begin, mid);
        const int32_t right = build(mid, end);
        nodes_[id].dim = dim;
        nodes_[id].split = split;
        nodes_[id].left = left;
        nodes_[id].right = right;
        return id;
    }

  private:
    const double* points_;
    int32_t d_;
    std::vector<int64_t>& order_;
    KdTreeView::Node* nodes_;
    int64_t count_ = 0;
};

}  // namespace

// Header, nodes, transposed points, indices.
size_t kdtree_bytes(int64_t n, int32_t d) {
    return sizeof(Header) + sizeof(KdTreeView::Node) * static_cast<size_t>(max_nodes(n)) +
           sizeof(double) * static_cast<size_t>(max_columns(n)) * static_cast<size_t>(d) +
           sizeof(int64_t) * static_cast<size_t>(n);
}

// Splits, then writes every bucket's points transposed (zero padding) and the indices.
KdTreeView kdtree_build(const double* points, int64_t n, int32_t d, void* block) {
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "k-d tree over no points");
    auto* header = static_cast<Header*>(block);
    auto* nodes = reinterpret_cast<KdTreeView::Node*>(header + 1);
    auto* columns = reinterpret_cast<double*>(nodes + max_nodes(n));
    auto* index = reinterpret_cast<int64_t*>(columns + max_columns(n) * d);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    Builder builder(points, d, order, nodes);
    builder.build(0, n);
    *header = {n, builder.count(), d, 0};
    int64_t column = 0;
    for (int64_t i = 0; i < builder.count(); ++i) {
        KdTreeView::Node& b = nodes[i];
        if (b.dim >= 0) continue;
        const int64_t w = bucket_width(b);
        b.column = column;
        double* lo = columns + column * d;
        double* hi = lo + d;
        double* out = hi + d;
        std::fill_n(lo, d, std::numeric_limits<double>::infinity());
        std::fill_n(hi, d, -std::numeric_limits<double>::infinity());
        std::fill_n(out, w * d, 0.0);
        for (int64_t p = b.begin; p < b.end; ++p)
            for (int32_t j = 0; j < d; ++j) {
                const double v = points[order[p] * d + j];
                out[j * w + (p - b.begin)] = v;
                lo[j] = std::min(lo[j], v);
                hi[j] = std::max(hi[j], v);
            }
        column += w + 2;
    }
    std::copy(order.begin(), order.end(), index);
    return KdTreeView(block);
}

KdTreeView::KdTreeView(const void* block) {
    const auto* header = static_cast<const Header*>(block);
    n_ = header->n;
    d_ = header->d;
    nodes_ = reinterpret_cast<const Node*>(header + 1);
    columns_ = reinterpret_cast<const double*>(nodes_ + max_nodes(n_));
    index_ = reinterpret_cast<const int64_t*>(columns_ + max_columns(n_) * d_);
}

// Distances to 16 points at a time (tiles of 4, 8, 12 or 16 columns), then the best of them.
void KdTreeView::scan_bucket(const Node& b, const double* x, double& best,
                             int64_t& best_index) const {
    const int64_t w = bucket_width(b), m = b.end - b.begin;
    const double* lo = columns_ + b.column * d_;
    const double* hi = lo + d_;
    const double* blk = hi + d_;
    double box = 0.0;
    for (int32_t j = 0; j < d_; ++j) {
        const double gap = std::max(lo[j] - x[j], x[j] - hi[j]);
        if (gap > 0.0) box += gap * gap;
    }
    if (box > best * (1.0 + 1e-9)) return;  // no point of the bucket can tie the best
    double sq[16];
    for (int64_t c0 = 0; c0 < m; c0 += 16) {
        switch (std::min<int64_t>(16, w - c0)) {
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

// Depth-first search: the near child first, the far one only when its box may hold a point
// as near as the best so far. `box` is a lower bound of the squared distance from x to every
// point under `node`, kept incrementally (Arya & Mount 1993, as nanoflann): off[f] is the
// gap to the box along coordinate f. The bound is compared with a relative slack of 1e-9 so
// that rounding in its running sum never prunes a point whose computed distance ties the best.
void KdTreeView::search(int32_t node, const double* x, double box, double* off, double& best,
                        int64_t& best_index) const {
    const Node& n = nodes_[node];
    if (n.dim < 0) {
        scan_bucket(n, x, best, best_index);
        return;
    }
    const double diff = x[n.dim] - n.split;
    search(diff < 0.0 ? n.left : n.right, x, box, off, best, best_index);
    const double gap = diff * diff;
    if (n.dim >= kMaxBoxDims) {
        if (gap <= best) search(diff < 0.0 ? n.right : n.left, x, box, off, best, best_index);
        return;
    }
    const double old = off[n.dim];
    const double far_box = box - old + gap;
    if (far_box <= best * (1.0 + 1e-9) && gap <= best) {
        off[n.dim] = gap;
        search(diff < 0.0 ? n.right : n.left, x, far_box, off, best, best_index);
        off[n.dim] = old;
    }
}

// From the root with a zero box; wider than kMaxBoxDims coordinates, the far side is
// bounded by the split's gap alone.
int64_t KdTreeView::nearest(const double* x, double* best_sq) const {
    double best = std::numeric_limits<double>::infinity();
    int64_t best_index = std::numeric_limits<int64_t>::max();
    double off[kMaxBoxDims];
    std::fill_n(off, std::min(d_, kMaxBoxDims), 0.0);
    search(0, x, 0.0, off, best, best_index);
    if (best_sq != nullptr) *best_sq = best;
    return best_index;
}

}  // namespace cseg
