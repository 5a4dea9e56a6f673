// The silhouette under k-prototypes' mixed dissimilarity (see silhouette_mixed.hpp).
#include "silhouette_mixed.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "distance.hpp"
#include "errors.hpp"
#include "labels.hpp"
#include "metrics.hpp"

namespace cseg {

namespace {

// d(a, b): sqrt of the squared numeric distance plus gamma per differing (or unseen) category.
double mixed_dissimilarity(const double* a, const double* b, int32_t p, int32_t q, double gamma) {
    int32_t mismatches = 0;
    for (int32_t j = p; j < p + q; ++j) mismatches += a[j] != b[j] || a[j] < 0.0;
    return std::sqrt(squared_distance(a, b, p) + gamma * static_cast<double>(mismatches));
}

}  // namespace

// Per row: the mean dissimilarity to each cluster, then (b - a) / max(a, b).
void silhouette_samples_mixed(ConstRowMap X, int32_t p, double gamma, const int32_t* labels,
                              double* out, const Interrupt& interrupt) {
    const int64_t n = X.rows();
    const int32_t w = static_cast<int32_t>(X.cols());
    if (p < 0 || p > w) throw Error(ErrorKind::Internal, "silhouette_samples_mixed: bad shape");
    if (!X.allFinite()) throw Error(ErrorKind::DataException, "features contain NaN or infinity");
    if (!std::isfinite(gamma) || gamma < 0.0)
        throw Error(ErrorKind::Internal, "silhouette_samples_mixed: bad gamma");
    const LabelCodes codes = encode_labels(labels, n);
    check_number_of_labels(codes.n_labels(), n);
    const int32_t L = codes.n_labels(), q = w - p;
    std::vector<double> sums(static_cast<size_t>(L));
    for (int64_t i = 0; i < n; ++i) {
        interrupt.poll();
        std::fill(sums.begin(), sums.end(), 0.0);
        const double* a = X.data() + i * w;
        for (int64_t j = 0; j < n; ++j)
            if (j != i)
                sums[size_t(codes.codes[size_t(j)])] +=
                    mixed_dissimilarity(a, X.data() + j * w, p, q, gamma);
        const int32_t own = codes.codes[size_t(i)];
        const int64_t own_count = codes.counts[size_t(own)];
        if (own_count <= 1) {  // a singleton scores 0, as in scikit-learn
            out[i] = 0.0;
            continue;
        }
        const double intra = sums[size_t(own)] / static_cast<double>(own_count - 1);
        double inter = INFINITY;
        for (int32_t c = 0; c < L; ++c)
            if (c != own)
                inter = std::min(inter, sums[size_t(c)] / static_cast<double>(codes.counts[size_t(c)]));
        const double denom = std::max(intra, inter);
        out[i] = denom > 0.0 ? (inter - intra) / denom : 0.0;  // numpy.nan_to_num(0 / 0)
    }
}

// All rows, or the seeded sample silhouette_score takes.
double silhouette_score_mixed(ConstRowMap X, int32_t p, double gamma, const int32_t* labels,
                              const Interrupt& interrupt, int64_t sample_size, uint64_t seed) {
    return mean_silhouette(X, labels, sample_size, seed,
                           [&](ConstRowMap rows, const int32_t* row_labels, double* out) {
                               silhouette_samples_mixed(rows, p, gamma, row_labels, out,
                                                        interrupt);
                           });
}

}  // namespace cseg
