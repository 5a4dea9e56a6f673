// k-d tree nearest-neighbour search; see kdtree.hpp.
#include "kdtree.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "distance.hpp"
#include "errors.hpp"

namespace cseg {

namespace {
// Points per bucket: below this a node is scanned, not split.
constexpr int64_t kBucket = 8;
}  // namespace

KdTree::KdTree(const double* points, int64_t n, int32_t d) : d_(d) {
    if (n < 1 || d < 1) throw Error(ErrorKind::Internal, "k-d tree over no points");
    index_.resize(static_cast<size_t>(n));
    std::iota(index_.begin(), index_.end(), int64_t{0});
    points_.assign(points, points + n * d);
    build(0, n);
    // Store the points in tree order so a bucket's are contiguous.
    std::vector<double> ordered(static_cast<size_t>(n * d));
    for (int64_t p = 0; p < n; ++p)
        std::copy(points + index_[p] * d, points + (index_[p] + 1) * d, ordered.begin() + p * d);
    points_.swap(ordered);
}

// Splits index_[begin, end) at the median of its widest coordinate (ties by index), recursing
// until buckets; returns the node's number. points_ is still in original order here.
int32_t KdTree::build(int64_t begin, int64_t end) {
    const int32_t id = static_cast<int32_t>(nodes_.size());
    nodes_.push_back({begin, end, -1, 0.0, -1, -1});
    if (end - begin <= kBucket) return id;
    int32_t dim = 0;
    double widest = -1.0;
    for (int32_t f = 0; f < d_; ++f) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int64_t p = begin; p < end; ++p) {
            const double v = points_[index_[p] * d_ + f];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (hi - lo > widest) {
            widest = hi - lo;
            dim = f;
        }
    }
    if (widest <= 0.0) return id;  // all points equal: one bucket
    const int64_t mid = begin + (end - begin) / 2;
    auto less = [&](int64_t a, int64_t b) {
        const double va = points_[a * d_ + dim], vb = points_[b * d_ + dim];
        return va < vb || (va == vb && a < b);
    };
    std::nth_element(index_.begin() + begin, index_.begin() + mid, index_.begin() + end, less);
    const double split = points_[index_[mid] * d_ + dim];
    const int32_t left = build(begin, mid);
    const int32_t right = build(mid, end);
    nodes_[id].dim = dim;
    nodes_[id].split = split;
    nodes_[id].left = left;
    nodes_[id].right = right;
    return id;
}

// Depth-first search: the near child first, the far one only when the slab distance (a lower
// bound of every far point's computed squared distance) does not exceed the best so far.
void KdTree::search(int32_t node, const double* x, double& best, int64_t& best_index) const {
    const Node& n = nodes_[node];
    if (n.dim < 0) {
        for (int64_t p = n.begin; p < n.end; ++p) {
            const double sq = squared_distance(x, points_.data() + p * d_, d_);
            if (sq < best || (sq == best && index_[p] < best_index)) {
                best = sq;
                best_index = index_[p];
            }
        }
        return;
    }
    const double diff = x[n.dim] - n.split;
    const int32_t near = diff < 0.0 ? n.left : n.right;
    const int32_t far = diff < 0.0 ? n.right : n.left;
    search(near, x, best, best_index);
    if (diff * diff <= best) search(far, x, best, best_index);
}

int64_t KdTree::nearest(const double* x, double* best_sq) const {
    double best = std::numeric_limits<double>::infinity();
    int64_t best_index = std::numeric_limits<int64_t>::max();
    search(0, x, best, best_index);
    if (best_sq != nullptr) *best_sq = best;
    return best_index;
}

}  // namespace cseg
