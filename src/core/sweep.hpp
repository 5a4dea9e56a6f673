// The k sweep behind kmeans_sweep: every k of a range fitted on one buffer of rows, each
// judged by inertia, silhouette, Davies-Bouldin and Calinski-Harabasz in the scaled space the
// models use, with the elbow (Kneedle) and the best silhouette marked.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

class Json;

// kmeans_sweep's options: kmeans_fit's, passed to every fit, plus two of its own.
struct SweepOptions {
    KMeansOptions kmeans;
    // The silhouette is exact up to this many usable rows and above it the mean over a
    // sample of this many rows drawn with kmeans.seed (the same rows for every k); 0: always
    // exact.
    int64_t silhouette_sample = 10000;
    double elbow_sensitivity = 1.0;  // Kneedle's S
};

// Parses the options object: every kmeans_fit key (see parse_kmeans_options), plus
// "silhouette_sample" (a positive integer, or null for always exact) and
// "elbow_sensitivity" (a finite number >= 0). Throws Error(InvalidParameter) naming the key.
SweepOptions parse_sweep_options(std::string_view json);

// One k of the sweep. A score scikit-learn would refuse (fewer than 2 or more than n - 1
// clusters with rows, e.g. k = 1) is NaN.
struct SweepPoint {
    int32_t k = 0;
    double inertia = 0.0;
    double silhouette = 0.0;
    double davies_bouldin = 0.0;
    double calinski_harabasz = 0.0;
    bool elbow = false;            // the Kneedle elbow of inertia against k
    bool best_silhouette = false;  // the highest silhouette (ties: the smallest k)
    Model model;                   // exactly the model kmeans_fit(features, k, options) fits
};

// The whole sweep.
struct SweepResult {
    std::vector<SweepPoint> points;  // k = k_min .. k_max
    int64_t n_rows = 0;              // usable rows every model was fitted on
    int64_t n_skipped = 0;           // rows left out for a missing element (missing = skip)
    int64_t silhouette_rows = 0;     // rows the silhouette was averaged over
};

// Silhouette, Davies-Bouldin and Calinski-Harabasz of one labelling of the rows X (metrics.hpp),
// each NaN where scikit-learn would refuse the labels (fewer than 2 or more than n - 1
// distinct); the silhouette over a seeded sample of `sample` rows when sample > 0 (NaN when the
// sample holds a single cluster). Throws Cancelled. Also seg_compare's scores.
struct LabelScores {
    double silhouette, davies_bouldin, calinski_harabasz;
};
LabelScores score_labels(ConstRowMap X, const std::vector<int32_t>& labels, int64_t sample,
                         uint64_t seed, const Interrupt& interrupt);

// Option "silhouette_sample" of `fn` (kmeans_sweep, seg_compare): a positive row count, or 0
// for null (always exact); Error(InvalidParameter) '<fn> option "silhouette_sample" must be
// ...' for anything else.
int64_t silhouette_sample_option(const Json& v, const char* fn);

// Fits fit_kmeans_model(rows, k, options.kmeans) for every k in [k_min, k_max] on a fresh
// copy of the rows (given in canonical order, so each model is bit-identical to
// kmeans_fit's), labels the scaled rows by their nearest centroid (seg_assign's rule) and
// scores them: inertia from the fit, the metrics from metrics.hpp. The elbow is Kneedle on
// (k, inertia), decreasing and convex, with options.elbow_sensitivity; there is none for
// fewer than 3 values of k or no clear bend. Throws Error(InvalidParameter) unless
// 1 <= k_min <= k_max, like fit_kmeans_model for too few usable rows, and Cancelled.
SweepResult kmeans_sweep(ConstRowMap rows, int32_t k_min, int32_t k_max,
                         const SweepOptions& options, const Interrupt& interrupt);

}  // namespace cseg
