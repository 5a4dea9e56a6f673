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

// numpy.searchsorted(cumsum(w), r, side="left") as scikit-learn uses it, fed one weight at a
// time in row order (the cumulative sum is built sequentially, as numpy.cumsum does): for
// every target r[t], the first row whose running sum reaches it, clipped to n - 1.
class CumulativeSearch {
  public:
    // Starts a search for `targets`; the answers go to `out` (one per target).
    CumulativeSearch(const std::vector<double>& targets, std::vector<int64_t>& out)
        : r_(targets), out_(out), order_(targets.size()) {
        std::iota(order_.begin(), order_.end(), size_t{0});
        std::stable_sort(order_.begin(), order_.end(),
                         [&](size_t a, size_t b) { return r_[a] < r_[b]; });
    }

    // Adds the weight of row i (rows come in order 0, 1, ...).
    void add(double w, int64_t i) {
        cum_ += w;
        while (p_ < order_.size() && cum_ >= r_[order_[p_]]) out_[order_[p_++]] = i;
    }
    // Adds a whole block of rows of total weight w when no target falls in it (true), so its
    // rows need not be read; false when they must be added one by one.
    bool skip(double w) {
        if (p_ < order_.size() && cum_ + w >= r_[order_[p_]]) return false;
        cum_ += w;
        return true;
    }

    // Targets beyond the total weight of n rows get the last row.
    void finish(int64_t n) {
        while (p_ < order_.size()) out_[order_[p_++]] = n - 1;
    }

  private:
    const std::vector<double>& r_;
    std::vector<int64_t>& out_;
    std::vector<size_t> order_;
    size_t p_ = 0;
    double cum_ = 0.0;
};

// Candidate-improvement masks (bit t: candidate t is closer than the row's closest centre)
// are kept when the candidates fit this many bits.
constexpr int32_t kMaskBits = 16;

}  // namespace

// 2 + floor(ln k), as scikit-learn's n_local_trials=None.
int32_t kmeans_plusplus_trials(int32_t k) {
    return 2 + static_cast<int32_t>(std::floor(std::log(static_cast<double>(std::max(k, 1)))));
}

// Greedy k-means++, two passes over the rows per centre:
//  - the scoring pass computes every row's distance to each candidate, sums the potentials
//    and marks in a small per-row mask which candidates are closer than the row's closest
//    centre so far;
//  - the update pass lowers the closest distances to the chosen candidate -- recomputing the
//    distance only for the rows its mask bit marks (the others cannot change), reading only
//    those rows -- and sums each block's new distances; the next centre's candidates are then
//    found in the running sum, reading only the few blocks a target falls in.
// Both passes run per block of kTaskBlockRows rows on `runner`. The distances recomputed equal
// the scored ones bit for bit (distance.hpp) and within a block the running sum is built in
// row order, so up to kTaskBlockRows rows this picks exactly the rows of the plain algorithm
// (test_kmeans.cpp checks it against a literal transcription); beyond, the sums are the
// blocks' sums in order. O(n) extra memory: the closest distances and a 16-bit mask per row;
// no n x trials buffer.
std::vector<int64_t> kmeans_plusplus(ConstRowMap X, int32_t k, Rng& rng,
                                     const Interrupt& interrupt, const TaskRunner& runner) {
    const int64_t n = X.rows();
    const int32_t d = static_cast<int32_t>(X.cols());
    const double* data = X.data();
    if (k < 1 || n < k) throw Error(ErrorKind::Internal, "kmeans_plusplus: need 1 <= k <= rows");

    std::vector<int64_t> indices(static_cast<size_t>(k), -1);
    indices[0] = static_cast<int64_t>(rng.bounded(static_cast<uint64_t>(n)));
    if (k == 1) return indices;

    // Squared distance of every row to its closest centre so far, and each block's sum.
    std::vector<double> closest(static_cast<size_t>(n));
    const int32_t blocks = task_blocks(n);
    std::vector<double> block_weight(static_cast<size_t>(blocks));
    runner(
        blocks,
        [&](int32_t b, const Interrupt& task_interrupt) {
            const double* c0 = data + indices[0] * d;
            double sum = 0.0;
            for (int64_t i = task_block_begin(b); i < task_block_end(b, n); ++i) {
                if ((i % kPollRows) == 0) task_interrupt.poll();
                const double v = squared_distance(c0, data + i * d, d);
                closest[static_cast<size_t>(i)] = v;
                sum += v;
            }
            block_weight[size_t(b)] = sum;
        },
        interrupt);
    double pot = 0.0;  // the potential: the blocks' sums in order
    for (double w : block_weight) pot += w;
    // The candidates for the targets: a running sum over the closest distances, block by
    // block, reading only the blocks a target falls in.
    const auto search = [&](const std::vector<double>& for_targets, std::vector<int64_t>& out) {
        CumulativeSearch cs(for_targets, out);
        for (int32_t b = 0; b < blocks; ++b) {
            if (cs.skip(block_weight[size_t(b)])) continue;
            for (int64_t i = task_block_begin(b); i < task_block_end(b, n); ++i)
                cs.add(closest[size_t(i)], i);
        }
        cs.finish(n);
    };

    const int32_t trials = kmeans_plusplus_trials(k);
    const bool use_mask = trials <= kMaskBits;
    const int32_t stride = padded_centers(trials);
    std::vector<double> targets(static_cast<size_t>(trials));
    std::vector<int64_t> candidates(static_cast<size_t>(trials));
    std::vector<double> cand_rows(static_cast<size_t>(trials) * d);
    std::vector<double> ct(static_cast<size_t>(stride) * d);
    std::vector<double> pots(static_cast<size_t>(trials));
    std::vector<uint16_t> closer(use_mask ? static_cast<size_t>(n) : 0);
    std::vector<double> block_pots(static_cast<size_t>(blocks) * static_cast<size_t>(trials));
    // Block b of the scoring pass: its rows' potentials per candidate, and their masks.
    const Task score_block = [&](int32_t b, const Interrupt& task_interrupt) {
        double* bp = block_pots.data() + int64_t{b} * trials;
        std::fill(bp, bp + trials, 0.0);
        std::vector<double> dist(static_cast<size_t>(stride) * kRowBlock);
        const int64_t end = task_block_end(b, n);
        for (int64_t i = task_block_begin(b); i < end; i += kRowBlock) {
            if ((i % kPollRows) == 0) task_interrupt.poll();
            const int32_t rows = static_cast<int32_t>(std::min<int64_t>(kRowBlock, end - i));
            squared_distances_block(data + i * d, rows, ct.data(), stride, d, dist.data());
            for (int32_t q = 0; q < rows; ++q) {
                const double ci = closest[static_cast<size_t>(i + q)];
                const double* v = dist.data() + q;  // centre-major: candidate t at v[t * 4]
                uint32_t mask = 0;
                for (int32_t t = 0; t < trials; ++t) {
                    const double vt = v[int64_t{t} * kRowBlock];
                    bp[t] += std::min(ci, vt);
                    mask |= static_cast<uint32_t>(vt < ci) << t;
                }
                if (use_mask) closer[static_cast<size_t>(i + q)] = static_cast<uint16_t>(mask);
            }
        }
    };

    // Block b of the update pass: its closest distances lowered to the chosen centre `cc`
    // (rows whose mask bit `best` is set, or every row without masks), and their new sum.
    const double* cc = nullptr;
    int32_t best = 0;
    const Task update_block = [&](int32_t b, const Interrupt& task_interrupt) {
        double sum = 0.0;
        for (int64_t i = task_block_begin(b); i < task_block_end(b, n); ++i) {
            if ((i % kPollRows) == 0) task_interrupt.poll();
            double& ci = closest[static_cast<size_t>(i)];
            if (!use_mask || ((closer[static_cast<size_t>(i)] >> best) & 1u))
                ci = std::min(ci, squared_distance(data + i * d, cc, d));
            sum += ci;
        }
        block_weight[size_t(b)] = sum;
    };
    // The first centre's candidates: a search over the initial distances.
    for (double& t : targets) t = rng.next_double() * pot;
    search(targets, candidates);

    for (int32_t c = 1; c < k; ++c) {
        interrupt.poll();
        for (int32_t t = 0; t < trials; ++t)
            std::copy_n(data + candidates[size_t(t)] * d, d, cand_rows.data() + int64_t(t) * d);
        transpose_centers(cand_rows.data(), trials, d, ct.data());

        // Potential if each candidate were added, and which candidates are closer per row.
        runner(blocks, score_block, interrupt);
        std::fill(pots.begin(), pots.end(), 0.0);
        for (int64_t b = 0; b < blocks; ++b)
            for (int32_t t = 0; t < trials; ++t)
                pots[size_t(t)] += block_pots[size_t(b * trials + t)];
        // First minimum, as numpy.argmin.
        best = 0;
        for (int32_t t = 1; t < trials; ++t)
            if (pots[size_t(t)] < pots[size_t(best)]) best = t;
        pot = pots[size_t(best)];
        const int64_t chosen = candidates[size_t(best)];
        indices[size_t(c)] = chosen;
        if (c + 1 == k) break;  // the distances are not needed after the last centre

        // Update the closest distances, then search the next centre's candidates.
        for (double& t : targets) t = rng.next_double() * pot;
        cc = data + chosen * d;
        runner(blocks, update_block, interrupt);
        search(targets, candidates);
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
