// seg_compare's core: k-means, Ward hierarchical clustering and a Gaussian mixture for every k
// of a range and DBSCAN once, all fitted on one buffer of rows by the family's fit pipeline
// and judged the same way (PyCaret's compare_models, in SQL).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

// seg_compare's options (parse_compare_options).
struct CompareOptions {
    // The options object every fit starts from: the pipeline's keys "scale", "missing",
    // "feature_names" for every kind, "seed" for the seeded ones (all but DBSCAN).
    std::string common = "{}";
    // Per kind (kmeans, hierarchical, gmm, dbscan: kind code order) its fit's options object:
    // the common keys, then the keys of the option of that kind's name ({"gmm":
    // {"covariance": "diag"}}), checked by parse_model_options.
    std::vector<std::string> per_kind;
    double eps = 0.0;             // 0: dbscan_default_parameters chooses
    int32_t min_samples = 0;      // 0: dbscan_default_parameters chooses
    int64_t silhouette_sample = 10000;  // as kmeans_sweep's; 0: always exact
    uint64_t seed = 0;            // the silhouette sample's seed (the common "seed")
};

// Parses the options object: "eps" (a finite number > 0), "min_samples" (an integer >= 1),
// "silhouette_sample" (a positive integer, or null for exact), "kmeans" / "hierarchical" /
// "gmm" / "dbscan" (objects of that fit's options; "hierarchical" defaults to Ward), and the
// common keys "scale", "missing", "feature_names", "seed". Throws Error(InvalidParameter)
// naming the key.
CompareOptions parse_compare_options(std::string_view json);

// One row of the comparison. Scores are computed on the training rows labelled by the
// model's own seg_assign rule, in the scaled space, DBSCAN's noise rows left out; NaN where
// scikit-learn would refuse the labels (fewer than 2 clusters, or more than rows - 1).
struct CompareRow {
    ModelAlgorithm algorithm = ModelAlgorithm::KMeans;
    int32_t k = 0;  // clusters of the model (DBSCAN: found; 0 when every row is noise)
    double silhouette = 0.0, davies_bouldin = 0.0, calinski_harabasz = 0.0;
    double bic = 0.0;      // the kind's stored "bic" (Gaussian mixtures), else NaN
    int64_t n_noise = 0;   // training rows in no cluster
    double seconds = 0.0;  // wall time to produce this model (Ward: its tree + its cut)
    bool has_model = false;  // false only for DBSCAN finding no cluster
    Model model;
};

struct CompareResult {
    std::vector<CompareRow> rows;  // kmeans k_min..k_max, hierarchical ..., gmm ..., dbscan
    int64_t n_rows = 0, n_skipped = 0, silhouette_rows = 0;
    double eps = 0.0;            // DBSCAN's eps and min_samples as used
    int32_t min_samples = 0;
};

// What seg_compare may hold beside the caller's rows, and how it refuses more.
struct CompareMemory {
    double bytes = std::numeric_limits<double>::infinity();  // the budget left beside the rows
    // Throws for `need` bytes held beside the rows (> bytes) for `what` (the wall: the error
    // naming customer_seg.max_memory). Empty: Error(OutOfMemory).
    std::function<void(double need, const std::string& what)> refuse;
};

// Fits and scores everything on the n x d rows (original units, canonical order: sort_rows).
// Ward's tree is built once at k_max and cut for every other k (hclust_recut: the model
// hclust_fit would give). Throws Error(InvalidParameter) unless 1 <= k_min <= k_max, the fits'
// errors (too few rows, ...) naming seg_compare, Cancelled. Held to `memory`: before anything
// is fitted, every fit's and scoring's working memory (kmeans_fit_memory, gmm_fit_bytes,
// dbscan_fit_bytes, the scores' bounds) beside the working copy of the rows; then before each
// fit and scoring the same beside the models kept so far (each counted twice: the wall copies
// them out); Ward's linkage gets what is left as its FitInput::memory_budget.
CompareResult seg_compare(ConstRowMap rows, int32_t k_min, int32_t k_max,
                          const CompareOptions& options, const Interrupt& interrupt,
                          const CompareMemory& memory = {});

// The labels seg_assign gives the n scaled rows X under model m (its kind's assign through the
// encoded model; -1 for noise).
std::vector<int32_t> model_labels(const Model& m, ConstRowMap X, const Interrupt& interrupt);

}  // namespace cseg
