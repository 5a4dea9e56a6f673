// Micro-clusters for hierarchical clustering of many rows; see hclust_microcluster.hpp.
#include "hclust_microcluster.hpp"

#include <algorithm>
#include <unordered_set>

#include "errors.hpp"
#include "kdtree.hpp"
#include "rng.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;

// m distinct indices of [0, n), ascending, uniformly (Floyd's algorithm: Bentley & Floyd 1987,
// "Programming pearls: a sample of brilliance").
std::vector<int64_t> sample_indices(int64_t n, int64_t m, uint64_t seed) {
    Rng rng(seed);
    std::unordered_set<int64_t> chosen;
    chosen.reserve(static_cast<size_t>(m) * 2);
    for (int64_t j = n - m; j < n; ++j) {
        const int64_t t = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(j) + 1));
        if (!chosen.insert(t).second) chosen.insert(j);
    }
    std::vector<int64_t> out(chosen.begin(), chosen.end());
    std::sort(out.begin(), out.end());
    return out;
}

// Labels every row with its nearest centre (m x d) and counts the rows per centre.
void assign_rows(const double* rows, int64_t n, int32_t d, const std::vector<double>& centers,
                 int64_t m, std::vector<int64_t>& label, std::vector<int64_t>& count,
                 const Interrupt& interrupt) {
    const KdTree tree(centers.data(), m, d);
    count.assign(static_cast<size_t>(m), 0);
    for (int64_t i = 0; i < n; ++i) {
        if (i % kPollRows == 0) interrupt.poll();
        label[i] = tree.nearest(rows + i * d);
        ++count[label[i]];
    }
}

// Keeps the centres with rows, in order, renumbering the labels; returns the new count.
int64_t drop_empty(std::vector<double>& centers, std::vector<int64_t>& count,
                   std::vector<int64_t>& label, int64_t m, int32_t d) {
    std::vector<int64_t> renumber(static_cast<size_t>(m), -1);
    int64_t w = 0;
    for (int64_t c = 0; c < m; ++c) {
        if (count[c] == 0) continue;
        renumber[c] = w;
        std::copy(centers.begin() + c * d, centers.begin() + (c + 1) * d, centers.begin() + w * d);
        count[w] = count[c];
        ++w;
    }
    centers.resize(static_cast<size_t>(w * d));
    count.resize(static_cast<size_t>(w));
    for (int64_t& l : label) l = renumber[l];
    return w;
}

}  // namespace

MicroClusters summarise_rows(const double* rows, int64_t n, int32_t d, int64_t max_leaves,
                             int32_t passes, uint64_t seed, const Interrupt& interrupt) {
    if (n < 1 || d < 1 || max_leaves < 1 || passes < 0)
        throw Error(ErrorKind::Internal, "summarise_rows: bad arguments");
    const int64_t m0 = std::min(n, max_leaves);
    const std::vector<int64_t> seeds = sample_indices(n, m0, seed);
    MicroClusters mc;
    mc.centers.resize(static_cast<size_t>(m0 * d));
    for (int64_t c = 0; c < m0; ++c)
        std::copy(rows + seeds[c] * d, rows + (seeds[c] + 1) * d, mc.centers.begin() + c * d);
    mc.label.resize(static_cast<size_t>(n));
    int64_t m = m0;
    for (int32_t pass = 0; pass < passes; ++pass) {
        assign_rows(rows, n, d, mc.centers, m, mc.label, mc.sizes, interrupt);
        m = drop_empty(mc.centers, mc.sizes, mc.label, m, d);
        std::fill(mc.centers.begin(), mc.centers.end(), 0.0);
        for (int64_t i = 0; i < n; ++i) {
            double* c = mc.centers.data() + mc.label[i] * d;
            for (int32_t f = 0; f < d; ++f) c[f] += rows[i * d + f];
        }
        for (int64_t c = 0; c < m; ++c)
            for (int32_t f = 0; f < d; ++f) mc.centers[c * d + f] /= double(mc.sizes[c]);
    }
    assign_rows(rows, n, d, mc.centers, m, mc.label, mc.sizes, interrupt);
    mc.count = drop_empty(mc.centers, mc.sizes, mc.label, m, d);
    return mc;
}

}  // namespace cseg
