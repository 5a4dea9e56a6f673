// Initial centres for k-means: greedy k-means++ (Arthur & Vassilvitskii 2007, as in
// scikit-learn's _kmeans_plusplus) and "random" (k distinct rows).
#include "kmeans_init.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "distance.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls in the O(n) passes.
constexpr int64_t kPollRows = 4096;

// For every target r[t]: the first row i whose running sum w[0] + ... + w[i] reaches r[t],
// clipped to n - 1 -- numpy.searchsorted(cumsum(w), r, side="left") as scikit-learn uses it,
// with the cumulative sum built sequentially in row order, as numpy.cumsum does.
void search_cumulative(const std::vector<double>& w, const std::vector<double>& r,
                       std::vector<int64_t>& out, const Interrupt& interrupt) {
    const size_t trials = r.size();
    std::vector<size_t> order(trials);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r[a] < r[b]; });
    const int64_t n = static_cast<int64_t>(w.size());
    double cum = 0.0;
    size_t p = 0;
    for (int64_t i = 0; i < n && p < trials; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        cum += w[static_cast<size_t>(i)];
        while (p < trials && cum >= r[order[p]]) out[order[p++]] = i;
    }
    while (p < trials) out[order[p++]] = n - 1;
}

}  // namespace

// 2 + floor(ln k), as scikit-learn's n_local_trials=None.
int32_t kmeans_plusplus_trials(int32_t k) {
    return 2 + static_cast<int32_t>(std::floor(std::log(static_cast<double>(std::max(k, 1)))));
}

// Greedy k-means++: two passes over the rows per centre (score the candidates, then update
// the closest squared distances), O(n) extra memory, no n x trials buffer.
std::vector<int64_t> kmeans_plusplus(ConstRowMap X, int32_t k, Rng& rng,
                                     const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    const double* data = X.data();
    if (k < 1 || n < k) throw Error(ErrorKind::Internal, "kmeans_plusplus: need 1 <= k <= rows");

    std::vector<int64_t> indices(static_cast<size_t>(k), -1);
    indices[0] = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(n)));

    // Squared distance of every row to its closest centre so far, and their sum (the potential).
    std::vector<double> closest(static_cast<size_t>(n));
    double pot = 0.0;
    {
        const double* c0 = data + indices[0] * d;
        for (int64_t i = 0; i < n; ++i) {
            if ((i % kPollRows) == 0) interrupt.poll();
            const double v = squared_distance(c0, data + i * d, d);
            closest[static_cast<size_t>(i)] = v;
            pot += v;
        }
    }

    const int32_t trials = kmeans_plusplus_trials(k);
    const int32_t stride = padded_centers(trials);
    std::vector<double> targets(static_cast<size_t>(trials));
    std::vector<int64_t> candidates(static_cast<size_t>(trials));
    std::vector<double> cand_rows(static_cast<size_t>(trials) * d);
    std::vector<double> ct(static_cast<size_t>(stride) * d);
    std::vector<double> dist(static_cast<size_t>(stride) * kRowBlock);
    std::vector<double> pots(static_cast<size_t>(trials));

    for (int32_t c = 1; c < k; ++c) {
        interrupt.poll();
        for (double& t : targets) t = rng.next_double() * pot;
        search_cumulative(closest, targets, candidates, interrupt);
        for (int32_t t = 0; t < trials; ++t)
            std::copy_n(data + candidates[size_t(t)] * d, d, cand_rows.data() + int64_t(t) * d);
        transpose_centers(cand_rows.data(), trials, d, ct.data());

        // Potential if each candidate were added.
        std::fill(pots.begin(), pots.end(), 0.0);
        for (int64_t i = 0; i < n; i += kRowBlock) {
            if ((i % kPollRows) == 0) interrupt.poll();
            const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, n - i));
            squared_distances_block(data + i * d, rows, ct.data(), stride, d, dist.data());
            for (int32_t q = 0; q < rows; ++q) {
                const double ci = closest[static_cast<size_t>(i + q)];
                const double* v = dist.data() + q;  // centre-major: candidate t at v[t * 4]
                for (int32_t t = 0; t < trials; ++t)
                    pots[size_t(t)] += std::min(ci, v[int64_t{t} * kRowBlock]);
            }
        }
        // First minimum, as numpy.argmin.
        int32_t best = 0;
        for (int32_t t = 1; t < trials; ++t)
            if (pots[size_t(t)] < pots[size_t(best)]) best = t;
        pot = pots[size_t(best)];
        const int64_t chosen = candidates[size_t(best)];
        indices[size_t(c)] = chosen;

        // Recomputed distances equal the scored ones bit for bit (see distance.hpp), so the
        // new potential is exactly the sum of the updated closest distances.
        const double* cc = data + chosen * d;
        double block[kRowBlock];
        int64_t i = 0;
        for (; i + kRowBlock <= n; i += kRowBlock) {
            if ((i % kPollRows) == 0) interrupt.poll();
            squared_distances_rows_to_point(data + i * d, cc, d, block);
            for (int32_t q = 0; q < kRowBlock; ++q) {
                double& ci = closest[static_cast<size_t>(i + q)];
                ci = std::min(ci, block[q]);
            }
        }
        for (; i < n; ++i) {
            double& ci = closest[static_cast<size_t>(i)];
            ci = std::min(ci, squared_distance(data + i * d, cc, d));
        }
    }
    return indices;
}

// Partial Fisher-Yates shuffle of 0 .. n-1, its first k entries; the shuffled positions are
// kept in a hash map, so memory and time are O(k), not O(n).
std::vector<int64_t> random_rows(int64_t n, int32_t k, Rng& rng) {
    if (k < 1 || n < k) throw Error(ErrorKind::Internal, "random_rows: need 1 <= k <= rows");
    std::unordered_map<int64_t, int64_t> moved;  // position -> value, where not the identity
    const auto value_at = [&moved](int64_t p) {
        const auto it = moved.find(p);
        return it == moved.end() ? p : it->second;
    };
    std::vector<int64_t> out(static_cast<size_t>(k));
    for (int32_t i = 0; i < k; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(n - i)));
        const int64_t vi = value_at(i);
        out[size_t(i)] = value_at(j);
        moved[j] = vi;  // position i is never read again
    }
    return out;
}

// Copies the indexed rows into a k x d matrix.
RowMatrix gather_rows(ConstRowMap X, const std::vector<int64_t>& indices) {
    RowMatrix out(static_cast<Eigen::Index>(indices.size()), X.cols());
    for (size_t c = 0; c < indices.size(); ++c)
        out.row(static_cast<Eigen::Index>(c)) = X.row(static_cast<Eigen::Index>(indices[c]));
    return out;
}

}  // namespace cseg
