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

// Points per bucket: a node with more is split. Both halves of a split keep >= 4 points, so
// a tree over n points has at most n / 2 + 2 nodes.
constexpr int64_t kBucket = 8;

// The block's header: sizes, then the nodes, the points and the indices follow.
struct Header {
    int64_t n;
    int64_t node_count;
    int32_t d;
    int32_t reserved;
};

int64_t max_nodes(int64_t n) { return n / 2 + 2; }

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
        nodes_[id] = {begin, end, 0.0, -1, -1, -1, 0};
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

size_t kdtree_bytes(int64_t n, int32_t d) {
    return sizeof(Header) + sizeof(KdTreeView::Node) * static_cast<size_t>(max_nodes(n)) +
           sizeof(double) * static_cast<size_t>(n) * static_cast<size_t>(d) +
           sizeof(int64_t) * static_cast<size_t>(n);
}

KdTreeView kdtree_build(const double* points, int64_t n, int32_t d, void* block) {
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "k-d tree over no points");
    auto* header = static_cast<Header*>(block);
    auto* nodes = reinterpret_cast<KdTreeView::Node*>(header + 1);
    auto* tree_points = reinterpret_cast<double*>(nodes + max_nodes(n));
    auto* index = reinterpret_cast<int64_t*>(tree_points + n * d);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    Builder builder(points, d, order, nodes);
    builder.build(0, n);
    *header = {n, builder.count(), d, 0};
    for (int64_t p = 0; p < n; ++p) {
        std::memcpy(tree_points + p * d, points + order[p] * d, sizeof(double) * size_t(d));
        index[p] = order[p];
    }
    return KdTreeView(block);
}

KdTreeView::KdTreeView(const void* block) {
    const auto* header = static_cast<const Header*>(block);
    n_ = header->n;
    d_ = header->d;
    nodes_ = reinterpret_cast<const Node*>(header + 1);
    points_ = reinterpret_cast<const double*>(nodes_ + max_nodes(n_));
    index_ = reinterpret_cast<const int64_t*>(points_ + n_ * d_);
}

// Depth-first search: the near child first, the far one only when the slab distance (a lower
// bound of every far point's computed squared distance) does not exceed the best so far.
void KdTreeView::search(int32_t node, const double* x, double& best, int64_t& best_index) const {
    const Node& n = nodes_[node];
    if (n.dim < 0) {
        for (int64_t p = n.begin; p < n.end; ++p) {
            const double sq = squared_distance(x, points_ + p * d_, d_);
            if (sq < best || (sq == best && index_[p] < best_index)) {
                best = sq;
                best_index = index_[p];
            }
        }
        return;
    }
    const double diff = x[n.dim] - n.split;
    search(diff < 0.0 ? n.left : n.right, x, best, best_index);
    if (diff * diff <= best) search(diff < 0.0 ? n.right : n.left, x, best, best_index);
}

int64_t KdTreeView::nearest(const double* x, double* best_sq) const {
    double best = std::numeric_limits<double>::infinity();
    int64_t best_index = std::numeric_limits<int64_t>::max();
    search(0, x, best, best_index);
    if (best_sq != nullptr) *best_sq = best;
    return best_index;
}

}  // namespace cseg
