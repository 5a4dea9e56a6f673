// fcluster(..., "maxclust") on a linkage matrix; see hclust_cut.hpp.
#include "hclust_cut.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "errors.hpp"

namespace cseg {

std::vector<int32_t> hclust_cut(const std::vector<Merge>& merges, int64_t L, int64_t k,
                                int32_t* clusters) {
    if (L < 1 || k < 1 || int64_t(merges.size()) != L - 1)
        throw Error(ErrorKind::Internal, "hclust_cut: inconsistent tree (" +
                                             std::to_string(L) + " leaves, " +
                                             std::to_string(merges.size()) + " merges, k = " +
                                             std::to_string(k) + ")");
    // The height of each node raised to the largest below it (scipy's
    // get_max_dist_for_each_cluster), then the threshold fcluster's bisection settles on.
    std::vector<double> top(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) {
        double h = merges[i].height;
        for (int64_t child : {merges[i].left, merges[i].right})
            if (child >= L) h = std::max(h, top[size_t(child - L)]);
        top[i] = h;
    }
    // Leaves joined: union-find over leaves, each node represented by one of its leaves.
    std::vector<int64_t> parent(static_cast<size_t>(L)), leaf_of(merges.size());
    std::iota(parent.begin(), parent.end(), int64_t{0});
    auto root = [&](int64_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    // k >= L: every leaf alone (scipy >= 1.15), except that leaves merged at height 0 (equal
    // rows) stay together: seg_assign labels a row by its nearest leaf and cannot tell equal
    // leaves apart, so separating them gave sizes its labels do not reproduce.
    {
        const double threshold = k < L ? top[size_t(L - 1 - k)] : 0.0;
        for (size_t i = 0; i < merges.size(); ++i) {
            const int64_t a = merges[i].left < L ? merges[i].left : leaf_of[merges[i].left - L];
            const int64_t b = merges[i].right < L ? merges[i].right : leaf_of[merges[i].right - L];
            leaf_of[i] = a;
            if (top[i] <= threshold) parent[root(b)] = root(a);
        }
    }
    std::vector<int32_t> label(static_cast<size_t>(L)), number(static_cast<size_t>(L), -1);
    int32_t next = 0;
    for (int64_t i = 0; i < L; ++i) {
        const int64_t r = root(i);
        if (number[r] < 0) number[r] = next++;
        label[i] = number[r];
    }
    *clusters = next;
    return label;
}

}  // namespace cseg
