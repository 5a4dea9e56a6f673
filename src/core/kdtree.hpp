// Exact nearest-neighbour search over a fixed set of points: a k-d tree (Bentley 1975,
// "Multidimensional binary search trees used for associative searching"; Friedman, Bentley &
// Finkel 1977) with median splits on the widest coordinate and buckets of up to kBucket points.
// Distances are the core's squared_distance sums (distance.hpp), so a point's nearest is the
// same as a linear scan's (nearest_centroid), ties included (lowest index).
//
// The tree is plain data in one 8-aligned block of kdtree_bytes(n, d) bytes (a header, the
// nodes in preorder with the bounding box of each node's points, each bucket's points
// transposed — d rows of its point count rounded up to 4 — and their original indices), so a
// model can keep it in the per-query scratch the wall prepares once; KdTree owns such a block.
// The search is iterative (an explicit stack, no recursion): a node is entered only when the
// squared distance from the query to its points' bounding box — a lower bound of its points'
// distances — may still tie the best so far; of two children the one with the nearer box goes
// first. A bucket's distances are computed across its points at once (distance.hpp's distance
// tiles: the same sums as the scalar squared_distance) and looked at one by one only when
// their minimum can beat or tie the best.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cseg {

// A read-only view of a built tree (pointers into its block).
class KdTreeView {
  public:
    // One node: its points are [begin, end) in tree order. An inner node (right >= 0) has its
    // left child next in preorder (its own number + 1) and its right child at `right`; a bucket
    // has right = -1 and its transposed points from column `column`.
    struct Node {
        int64_t begin, end;
        int64_t column;
        int32_t right;
        int32_t reserved;
    };

    KdTreeView() = default;
    // The view of a block filled by kdtree_build.
    explicit KdTreeView(const void* block);

    // Index of the point nearest to x (d values), ties to the lowest index; its squared
    // distance goes to *best_sq when best_sq != nullptr. No allocation, never throws.
    int64_t nearest(const double* x, double* best_sq = nullptr) const;

    int64_t size() const { return n_; }

  private:
    double box_distance(int64_t node, const double* x) const;
    void scan_bucket(const Node& b, const double* x, double& best, int64_t& best_index) const;

    const Node* nodes_ = nullptr;
    const double* boxes_ = nullptr;    // per node: d lowest, then d highest coordinates
    const double* columns_ = nullptr;  // per bucket: d rows of its padded width, transposed
    const int64_t* index_ = nullptr;   // tree position -> original index
    int64_t n_ = 0;
    int32_t d_ = 0;
};

// Bytes (a multiple of 8) a tree over n >= 1 points of d >= 1 coordinates needs.
size_t kdtree_bytes(int64_t n, int32_t d);

// Builds the tree over points (n x d, row-major) into block (8-aligned, kdtree_bytes(n, d)
// bytes) and returns its view. Deterministic.
KdTreeView kdtree_build(const double* points, int64_t n, int32_t d, void* block);

// A tree that owns its block.
class KdTree {
  public:
    KdTree(const double* points, int64_t n, int32_t d)
        : block_((kdtree_bytes(n, d) + 7) / 8), view_(kdtree_build(points, n, d, block_.data())) {}
    // As KdTreeView::nearest.
    int64_t nearest(const double* x, double* best_sq = nullptr) const {
        return view_.nearest(x, best_sq);
    }
    int64_t size() const { return view_.size(); }

  private:
    std::vector<uint64_t> block_;
    KdTreeView view_;
};

}  // namespace cseg
