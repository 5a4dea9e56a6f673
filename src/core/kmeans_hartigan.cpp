// Hartigan refinement: incremental single-point moves between clusters.
#include "kmeans_hartigan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "distance.hpp"

namespace cseg {

namespace {

// Relative margin by which the bounds must rule a move out (far above rounding error).
constexpr double kBoundSlack = 1e-9;

// Recomputes every centre as the mean of its members (clusters are non-empty here).
void recompute_centers(ConstRowMap X, const std::vector<int32_t>& labels,
                       const std::vector<int64_t>& counts, RowMatrix& centers) {
    centers.setZero();
    for (Eigen::Index i = 0; i < X.rows(); ++i) centers.row(labels[size_t(i)]) += X.row(i);
    for (Eigen::Index c = 0; c < centers.rows(); ++c)
        if (counts[size_t(c)] > 0) centers.row(c) /= static_cast<double>(counts[size_t(c)]);
}

}  // namespace

// Single-point moves until none lowers the inertia (or max_passes passes). Each pass first
// computes, four rows at a time with the vectorised kernel, the distances to the centres as
// they were at the start of the pass; a row is only examined exactly when these (widened by
// how far the centres have moved since) cannot rule out a profitable move. On converged
// Lloyd solutions almost every row is ruled out, so a pass costs about one Lloyd iteration.
int64_t hartigan_refine(ConstRowMap X, RowMatrix& centers, std::vector<int32_t>& labels,
                        int32_t max_passes, const Interrupt& interrupt, int64_t max_work,
                        int64_t* work_done) {
    if (work_done != nullptr) *work_done = 0;
    const int64_t n = X.rows();
    const int32_t k = static_cast<int32_t>(centers.rows());
    const int32_t d = static_cast<int32_t>(X.cols());
    if (k < 2) return 0;
    std::vector<int64_t> counts(size_t(k), 0);
    for (int32_t l : labels) counts[size_t(l)]++;

    const int32_t stride = padded_centers(k);
    RowMatrix work = centers;  // incrementally updated centres
    RowMatrix start(k, d);     // the centres at the start of the pass
    std::vector<double> ct(size_t(stride) * size_t(d)), block(size_t(stride) * kRowBlock);
    std::vector<double> moved(static_cast<size_t>(k));  // distance of each centre from its start position
    int64_t total_moves = 0;
    int64_t spent = 0;  // row visits
    bool out_of_work = false;
    for (int32_t pass = 0; pass < max_passes && !out_of_work; ++pass) {
        start = work;
        transpose_centers(start.data(), k, d, ct.data());
        std::fill(moved.begin(), moved.end(), 0.0);
        double max_moved = 0.0;
        int64_t min_count = *std::min_element(counts.begin(), counts.end());
        int64_t moves = 0;
        for (int64_t i0 = 0; i0 < n && !out_of_work; i0 += kRowBlock) {
            if ((i0 & 0xFFF) == 0) interrupt.poll();
            const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, n - i0));
            squared_distances_block(X.row(i0).data(), rows, ct.data(), stride, d, block.data());
            spent += rows;
            for (int32_t r = 0; r < rows && !out_of_work; ++r) {
                const int64_t i = i0 + r;
                const int32_t a = labels[size_t(i)];
                const int64_t na = counts[size_t(a)];
                if (na <= 1) continue;
                // Bounds: |x - c_a| <= own + moved[a], |x - c_b| >= other - max_moved, and
                // n_b/(n_b+1) >= min_count/(min_count+1).
                double other = std::numeric_limits<double>::infinity();
                for (int32_t b = 0; b < k; ++b)
                    if (b != a) other = std::min(other, block[size_t(b) * kRowBlock + size_t(r)]);
                const double ub = std::sqrt(block[size_t(a) * kRowBlock + size_t(r)]) +
                                  moved[size_t(a)];
                const double lb = std::sqrt(other) - max_moved;
                const double fa = static_cast<double>(na) / static_cast<double>(na - 1);
                const double fmin =
                    static_cast<double>(min_count) / static_cast<double>(min_count + 1);
                if (lb > 0.0 && fmin * lb * lb >= fa * ub * ub * (1.0 + kBoundSlack)) continue;

                out_of_work = ++spent >= max_work;
                const double* x = X.row(i).data();
                const double stay = fa * squared_distance(x, work.row(a).data(), d);
                double best = stay;
                int32_t target = a;
                for (int32_t b = 0; b < k; ++b) {
                    if (b == a) continue;
                    const double nb = static_cast<double>(counts[size_t(b)]);
                    const double cost =
                        nb / (nb + 1.0) * squared_distance(x, work.row(b).data(), d);
                    if (cost < best) {
                        best = cost;
                        target = b;
                    }
                }
                // Require a real gain, not rounding noise, so passes terminate.
                if (target == a || !(best < stay * (1.0 - 1e-12))) continue;
                const double nad = static_cast<double>(na);
                const double nbd = static_cast<double>(counts[size_t(target)]);
                work.row(a) = (work.row(a) * nad - X.row(i)) / (nad - 1.0);
                work.row(target) = (work.row(target) * nbd + X.row(i)) / (nbd + 1.0);
                counts[size_t(a)]--;
                counts[size_t(target)]++;
                labels[size_t(i)] = target;
                ++moves;
                for (const int32_t c : {a, target}) {
                    moved[size_t(c)] = std::sqrt(
                        squared_distance(work.row(c).data(), start.row(c).data(), d));
                    max_moved = std::max(max_moved, moved[size_t(c)]);
                }
                min_count = *std::min_element(counts.begin(), counts.end());
            }
        }
        total_moves += moves;
        if (moves == 0) break;
        out_of_work = out_of_work || spent >= max_work;
    }
    if (work_done != nullptr) *work_done = spent;
    if (total_moves > 0) recompute_centers(X, labels, counts, centers);
    return total_moves;
}

}  // namespace cseg
