// DBSCAN (Ester, Kriegel, Sander & Xu, KDD 1996) on already scaled, finite rows, exact:
// neighbourhoods by a k-d tree (nanoflann), a row is a core row when at least min_samples rows
// (itself included) lie within eps (Euclidean distance <= eps), as scikit-learn's DBSCAN.
// Clusters are the connected components of the core rows (two core rows are connected when
// within eps). A non-core row within eps of a core row (a border row) joins the cluster of its
// nearest core row; every other row is noise (-1).
//
// scikit-learn labels a border row differently: with the cluster that reaches it first, and
// its clusters are grown in row order (the cluster of the lowest-index core row first), so
// its answer for a border row within eps of two clusters depends on the order of the rows. The
// nearest-core rule does not, and it is the rule a new row is assigned by
// (DbscanCoreIndex::assign), so labelling the training rows again reproduces the sizes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "eigen.hpp"
#include "interrupt.hpp"
#include "task_threads.hpp"

namespace cseg {

// The result of dbscan_run, numbered as found (clusters in the order of their lowest-index
// core row, like scikit-learn's labels_ for core rows).
struct DbscanRun {
    std::vector<int32_t> labels;   // n: cluster or -1 (noise)
    std::vector<uint8_t> is_core;  // n: 1 for core rows
    int32_t n_clusters = 0;
};

// Nearest-core-row search over the core rows of a model (a k-d tree built once).
class DbscanCoreIndex {
public:
    // The core rows (m x d, row-major, copied) and their clusters; eps as fitted.
    DbscanCoreIndex(const double* core_points, const int32_t* core_labels, int64_t m,
                    int32_t d, double eps);
    ~DbscanCoreIndex();
    DbscanCoreIndex(const DbscanCoreIndex&) = delete;
    DbscanCoreIndex& operator=(const DbscanCoreIndex&) = delete;

    // The cluster of the nearest core row when it lies within eps, else -1; distance2 (if
    // given) receives the squared distance to that nearest core row (infinity when none).
    // Ties in distance go to the lowest-index core row.
    int32_t assign(const double* x, double* distance2 = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Exact DBSCAN of the n x d rows X. The neighbour counts (the first pass) run in blocks on
// `runner`; the result does not depend on it. Throws Error(InvalidParameter) unless eps is
// finite and > 0 and min_samples >= 1, Cancelled through interrupt.
DbscanRun dbscan_run(ConstRowMap X, double eps, int32_t min_samples, const Interrupt& interrupt,
                     const TaskRunner& runner = run_tasks_serially);

// An upper bound, in bytes, of dbscan_fit's working memory beside its n x d rows on `threads`
// threads: the run's labels, two k-d trees (the rows', the core rows'), the core rows'
// union-find, one row's neighbour list per running task (at most n indices: neighbours are
// searched row by row, never stored for all rows), the core rows copied twice, and the model
// the kind builds from them (dbscan_run and model_dbscan.cpp: change it with them).
double dbscan_fit_bytes(int64_t n, int32_t d, int32_t threads = 1);

// The same for dbscan_default_parameters' k-distance curve with min_samples m.
double dbscan_choice_bytes(int64_t n, int32_t d, int32_t m, int32_t threads);

// The distance of every row to its m-th nearest row, the row itself counted as the first
// (scikit-learn's NearestNeighbors(n_neighbors=m).kneighbors(X)[0][:, -1]), sorted ascending:
// the k-distance curve whose knee suggests eps for min_samples = m. Needs 1 <= m <= n.
std::vector<double> k_distances(ConstRowMap X, int32_t m, const Interrupt& interrupt,
                                const TaskRunner& runner = run_tasks_serially);

// The rule seg_compare uses when no eps / min_samples are given: min_samples = 2 * d (Sander,
// Ester, Kriegel & Xu 1998), at least 3 and at most n; eps = the k-distance curve's knee by
// Kneedle (convex, increasing; src/core/kneedle.hpp), or its 90th percentile when Kneedle
// finds no knee.
struct DbscanChoice {
    double eps;
    int32_t min_samples;
};
DbscanChoice dbscan_default_parameters(ConstRowMap X, const Interrupt& interrupt,
                                       const TaskRunner& runner = run_tasks_serially);

}  // namespace cseg
