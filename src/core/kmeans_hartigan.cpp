// Hartigan refinement: incremental single-point moves between clusters.
#include "kmeans_hartigan.hpp"

#include "distance.hpp"

namespace cseg {

namespace {

// Recomputes every centre as the mean of its members (clusters are non-empty here).
void recompute_centers(ConstRowMap X, const std::vector<int32_t>& labels,
                       const std::vector<int64_t>& counts, RowMatrix& centers) {
    centers.setZero();
    for (Eigen::Index i = 0; i < X.rows(); ++i) centers.row(labels[size_t(i)]) += X.row(i);
    for (Eigen::Index c = 0; c < centers.rows(); ++c)
        if (counts[size_t(c)] > 0) centers.row(c) /= static_cast<double>(counts[size_t(c)]);
}

}  // namespace

// Single-point moves until none lowers the inertia (or max_passes passes).
int64_t hartigan_refine(ConstRowMap X, RowMatrix& centers, std::vector<int32_t>& labels,
                        int32_t max_passes, const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t k = static_cast<int32_t>(centers.rows());
    const int32_t d = static_cast<int32_t>(X.cols());
    if (k < 2) return 0;
    std::vector<int64_t> counts(size_t(k), 0);
    for (int32_t l : labels) counts[size_t(l)]++;

    RowMatrix work = centers;  // incrementally updated centres
    int64_t total_moves = 0;
    for (int32_t pass = 0; pass < max_passes; ++pass) {
        int64_t moves = 0;
        for (int64_t i = 0; i < n; ++i) {
            if ((i & 0xFFF) == 0) interrupt.poll();
            const int32_t a = labels[size_t(i)];
            const int64_t na = counts[size_t(a)];
            if (na <= 1) continue;
            const double* x = X.row(i).data();
            const double stay = static_cast<double>(na) / static_cast<double>(na - 1) *
                                squared_distance(x, work.row(a).data(), d);
            double best = stay;
            int32_t target = a;
            for (int32_t b = 0; b < k; ++b) {
                if (b == a) continue;
                const double nb = static_cast<double>(counts[size_t(b)]);
                const double cost = nb / (nb + 1.0) * squared_distance(x, work.row(b).data(), d);
                if (cost < best) {
                    best = cost;
                    target = b;
                }
            }
            // Require a real gain, not rounding noise, so passes terminate.
            if (target == a || !(best < stay * (1.0 - 1e-12))) continue;
            const double nad = static_cast<double>(na), nbd = double(counts[size_t(target)]);
            work.row(a) = (work.row(a) * nad - X.row(i)) / (nad - 1.0);
            work.row(target) = (work.row(target) * nbd + X.row(i)) / (nbd + 1.0);
            counts[size_t(a)]--;
            counts[size_t(target)]++;
            labels[size_t(i)] = target;
            ++moves;
        }
        total_moves += moves;
        if (moves == 0) break;
    }
    if (total_moves > 0) recompute_centers(X, labels, counts, centers);
    return total_moves;
}

}  // namespace cseg
