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
//
// When every coordinate (the points' and the query's) is at most 1e15 in size and d <= 64, the
// search runs on a float32 copy of the boxes and points instead (8 lanes a vector, half the
// bytes) as a filter: with u = 2^-24, E = 4u(||x|| + R) (R the norm of the points' largest
// coordinates in size) bounds the error of the float32 differences, and a float32 sum f of d
// squares is at most (1 + 2(d+1)u) times its exact value, so a box or point whose float64
// squared distance could tie the best has f <= T = (1 + 2(d+1)u)(sqrt(best (1 + 1e-9)) + E)^2
// (+ an absolute term for underflow). Boxes above T are pruned, and points at or below it are
// measured again in float64 (the same sum as squared_distance) under the same rule, so the
// answer is the float64 search's, bit for bit. Other queries take the float64 search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "interrupt.hpp"

namespace cseg {

// A read-only view of a built tree (pointers into its block).
class KdTreeView {
  public:
    // One node: its points are [begin, end) in tree order. An inner node (right >= 0) has its
    // left child next in preorder (its own number + 1) and its right child at `right`; a bucket
    // has right = -1 and its transposed points from column `column`.
    struct Node {
        int64_t begin, end;
        int64_t column;  // first column of a bucket (float64 or float32, as the tree's copy)
        int32_t right;
        int32_t reserved;
    };

    KdTreeView() = default;
    // The view of a block filled by kdtree_build.
    explicit KdTreeView(const void* block);

    // Index of the point nearest to x (d values), ties to the lowest index; its squared
    // distance goes to *best_sq when best_sq != nullptr. No allocation, never throws.
    int64_t nearest(const double* x, double* best_sq = nullptr) const;

    // As nearest(), but the search may stop early at a point p it has measured whose squared
    // distance to x is below cover[p] (cover as written by group_covers): the answer is then p,
    // which is in the same group as nearest(x)'s point. No allocation, never throws.
    int64_t nearest_in_group(const double* x, const double* cover) const;

    // For points (the n x d points the tree was built over, row-major) in groups group[0..n),
    // writes cover[p]: a lower bound on a quarter of the squared distance from p to the nearest
    // point of another group, less a rounding margin, so that a query whose computed squared
    // distance to p is below cover[p] has its nearest point (nearest()'s rule, ties included)
    // in p's group: +infinity when every point is in one group, 0 when a point of another group
    // is at p's place. Searches this tree, pruning nodes whose points are all in p's group
    // (groups 0 .. 2^31 - 1); scratch: kdtree_cover_scratch_bytes(n, d) bytes, 8-aligned. No
    // allocation; about 4-10 us a point for 20,000 points x 8 (kdtree.cpp). Polls `interrupt`
    // every 256 points (throws Cancelled: the covers written so far are then incomplete).
    void group_covers(const double* points, const int64_t* group, double* cover, void* scratch,
                      const Interrupt& interrupt = Interrupt()) const;

    int64_t size() const { return n_; }

  private:
    int64_t nearest64(const double* x, double& best, const double* cover) const;
    int64_t nearest32(const double* x, double norm, double& best, const double* cover) const;
    double nearest_other(const double* x, int64_t g, const double* points, const int64_t* group,
                         const int64_t* node_group, const int32_t* column_group) const;
    float min_other32(const float* xf, const Node& b, const int32_t* groups, int32_t g) const;
    double box_distance(int64_t node, const double* x) const;
    void scan_bucket(const Node& b, const double* x, double& best, int64_t& best_index) const;
    bool scan_bucket32(const Node& b, const double* x, const float* xf, double error,
                       float limit, double& best, int64_t& best_index) const;
    float threshold32(double best, double error) const;

    const Node* nodes_ = nullptr;
    const double* boxes_ = nullptr;    // per node: d lowest, then d highest coordinates
    const double* columns_ = nullptr;  // per bucket: d rows of its padded width, transposed
    const double* rows_ = nullptr;     // instead of columns_ for the float32 search: row-major
    const int64_t* index_ = nullptr;   // tree position -> original index
    const float* boxes32_ = nullptr;   // per node: d32 lowest (rounded down), d32 highest (up)
    const float* columns32_ = nullptr; // per bucket: d rows of its float32 padded width
    double reach_ = 0.0;               // R: norm of the points' largest |coordinate|s
    int64_t n_ = 0;
    int64_t node_count_ = 0;
    int32_t d_ = 0;
    int32_t d32_ = 0;                  // d rounded up to 8; 0 when the float32 search is off
};

// Bytes (a multiple of 8) a tree over n >= 1 points of d >= 1 coordinates needs.
size_t kdtree_bytes(int64_t n, int32_t d);

// Bytes (a multiple of 8) of KdTreeView::group_covers' scratch for a tree over n x d points.
size_t kdtree_cover_scratch_bytes(int64_t n, int32_t d);

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
    const KdTreeView& view() const { return view_; }

  private:
    std::vector<uint64_t> block_;
    KdTreeView view_;
};

}  // namespace cseg
