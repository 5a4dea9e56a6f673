// Exact nearest-neighbour search over a fixed set of points: a k-d tree (Bentley 1975,
// "Multidimensional binary search trees used for associative searching"; Friedman, Bentley &
// Finkel 1977) with median splits on the widest coordinate and buckets of a few points.
// Distances are the core's squared_distance (distance.hpp), so a point's nearest is the same
// as a linear scan's, ties included (lowest index).
#pragma once

#include <cstdint>
#include <vector>

namespace cseg {

// A k-d tree over n points of d coordinates (copied in).
class KdTree {
  public:
    KdTree() = default;
    // Builds the tree over points (n x d, row-major), n >= 1, d >= 1.
    KdTree(const double* points, int64_t n, int32_t d);

    // Index of the point nearest to x (d values), ties to the lowest index; its squared
    // distance goes to *best_sq when best_sq != nullptr.
    int64_t nearest(const double* x, double* best_sq = nullptr) const;

    int64_t size() const { return static_cast<int64_t>(index_.size()); }

  private:
    // A node: its points are index_[begin, end); an inner node splits them at `split` on
    // coordinate `dim` into children left (coordinates <= split) and right (>= split).
    struct Node {
        int64_t begin = 0, end = 0;
        int32_t dim = -1;  // -1 for a bucket
        double split = 0.0;
        int32_t left = -1, right = -1;
    };

    int32_t build(int64_t begin, int64_t end);
    void search(int32_t node, const double* x, double& best, int64_t& best_index) const;

    int32_t d_ = 0;
    std::vector<double> points_;  // n x d in tree order
    std::vector<int64_t> index_;  // tree position -> original index
    std::vector<Node> nodes_;
};

}  // namespace cseg
