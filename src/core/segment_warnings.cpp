// Warnings on weak segmentations (see segment_warnings.hpp).
#include "segment_warnings.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace cseg {

// Small clusters first (each named), then a weak silhouette, then clusters of single rows.
std::string segment_warning(const int64_t* sizes, int32_t k, double silhouette) {
    int64_t total = 0, largest = 0;
    for (int32_t c = 0; c < k; ++c) {
        total += sizes[c];
        if (sizes[c] > largest) largest = sizes[c];
    }
    std::string out;
    auto add = [&out](const std::string& clause) {
        if (!out.empty()) out += "; ";
        out += clause;
    };
    char buf[160];
    if (k >= 2 && total > 0) {
        for (int32_t c = 0; c < k; ++c) {
            const double share = double(sizes[c]) / double(total);
            if (share >= kSmallClusterShare) continue;
            std::snprintf(buf, sizeof buf, "cluster %d holds %.2f %% of the rows (%lld of %lld)",
                          c, 100.0 * share, static_cast<long long>(sizes[c]),
                          static_cast<long long>(total));
            add(buf);
        }
    }
    if (!std::isnan(silhouette) && silhouette < kWeakSilhouette) {
        std::snprintf(buf, sizeof buf, "weak structure: silhouette %.3f < %.2f", silhouette,
                      kWeakSilhouette);
        add(buf);
    }
    if (k >= 2 && largest == 1) {
        // As many clusters as rows: the silhouette is undefined and there is nothing to judge.
        std::snprintf(buf, sizeof buf, "every row is a cluster of its own (k = %d over %lld rows)",
                      k, static_cast<long long>(total));
        add(buf);
    }
    return out;
}

}  // namespace cseg
