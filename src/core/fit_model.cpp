// The kmeans_fit pipeline (see fit_model.hpp).
#include "fit_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "cluster_order.hpp"
#include "distance.hpp"
#include "feature_stats.hpp"
#include "json.hpp"
#include "kmeans.hpp"
#include "kmeans_parallel.hpp"
#include "missing.hpp"
#include "model_json.hpp"
#include "scaler.hpp"
#include "task_threads.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;

// A read-only view of the same rows.
ConstRowMap as_const(RowMap X) { return ConstRowMap(X.data(), X.rows(), X.cols()); }

// "row" or "rows" after a count.
std::string rows_word(int64_t n) { return n == 1 ? " row" : " rows"; }

// A row as "{1.5, NaN, 3}" (shortest round-trip numbers; missing elements show as NaN).
std::string row_text(const double* x, int32_t d) {
    std::string out = "{";
    for (int32_t j = 0; j < d; ++j) {
        if (j > 0) out += ", ";
        if (std::isnan(x[j])) {
            out += "NaN";
        } else if (std::isinf(x[j])) {
            out += x[j] > 0 ? "Infinity" : "-Infinity";
        } else {
            append_shortest(out, x[j]);
        }
    }
    return out + "}";
}

// missing = "error": any row with a missing element is an error that counts them and shows one
// (rows are in canonical order here, so a row number would mean nothing to the caller).
void reject_missing(ConstRowMap X, const Interrupt& interrupt) {
    const int32_t d = static_cast<int32_t>(X.cols());
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < X.rows(); ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        if (row_has_missing(X.data() + i * d, d)) {
            if (bad++ == 0) first = i;
        }
    }
    if (bad == 0) return;
    throw Error(ErrorKind::NullValue,
                std::to_string(bad) + rows_word(bad) + (bad == 1 ? " has" : " have") +
                    " a NULL or non-finite element, e.g. " + row_text(X.data() + first * d, d),
                "kmeans_fit was called with option \"missing\" = \"error\"; NULL elements show "
                "as NaN.",
                "Use \"missing\": \"skip\" to leave such rows out or \"impute\" to "
                "replace missing elements by the feature mean.");
}

// Fills the model's clusters from the run, renumbered: size descending, then centroid
// lexicographically ascending, then the run's own index (only equal centroids reach it).
void order_clusters(ConstRowMap X, const KMeansRun& run, Model& m, const Interrupt& interrupt) {
    const int32_t k = m.k, d = m.dims;
    std::vector<int64_t> size(size_t(k), 0);
    std::vector<double> dist_sum(size_t(k), 0.0);
    for (int64_t i = 0; i < X.rows(); ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        const int32_t a = run.labels[size_t(i)];
        ++size[size_t(a)];
        dist_sum[size_t(a)] +=
            std::sqrt(squared_distance(X.data() + i * d, run.centers.data() + int64_t{a} * d, d));
    }
    const double* c0 = run.centers.data();
    const std::vector<int32_t> order = cluster_order(size, c0, d);
    m.centroids.resize(size_t(k) * size_t(d));
    m.sizes.resize(size_t(k));
    m.mean_distance.resize(size_t(k));
    for (int32_t c = 0; c < k; ++c) {
        const int32_t old = order[size_t(c)];
        std::copy_n(c0 + int64_t{old} * d, d, m.centroids.data() + int64_t{c} * d);
        m.sizes[size_t(c)] = size[size_t(old)];
        m.mean_distance[size_t(c)] =
            size[size_t(old)] > 0 ? dist_sum[size_t(old)] / static_cast<double>(size[size_t(old)])
                                  : 0.0;
    }
}

}  // namespace

// Missing values, statistics, scaler, k-means, ordering, then the model's own consistency check.
Model fit_kmeans_model(RowMap rows, int32_t k, const KMeansOptions& opts,
                       const Interrupt& interrupt, int32_t threads) {
    const int64_t n = rows.rows();
    const int32_t d = static_cast<int32_t>(rows.cols());
    if (k < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "k must be at least 1 (got k = " + std::to_string(k) + ")");
    if (d < 1)
        throw Error(ErrorKind::ArrayShape,
                    "kmeans_fit needs feature arrays of at least one element");
    validate_kmeans_options(opts, ErrorKind::InvalidParameter, "kmeans_fit ");
    if (opts.has_feature_names && opts.feature_names.size() != size_t(d))
        throw Error(ErrorKind::InvalidParameter, "kmeans_fit option \"feature_names\" has " +
                                                     std::to_string(opts.feature_names.size()) +
                                                     " names but the feature arrays have " +
                                                     std::to_string(d) + " elements");

    Model m;
    m.k = k;
    m.dims = d;
    m.options = opts;
    if (opts.has_feature_names) m.feature_names = opts.feature_names;

    int64_t usable = n;
    switch (opts.missing) {
        case MissingPolicy::Skip:
            usable = compact_complete_rows(rows.data(), n, d);
            break;
        case MissingPolicy::Error:
            reject_missing(as_const(rows), interrupt);
            break;
        case MissingPolicy::Impute:
            m.impute = impute_column_means(rows, interrupt);
            break;
    }
    m.n_rows = usable;
    m.n_skipped = n - usable;
    if (usable < k) {
        std::string detail;
        if (m.n_skipped > 0)
            detail = std::to_string(m.n_skipped) + rows_word(m.n_skipped) +
                     " with a NULL or non-finite element " + (m.n_skipped == 1 ? "was" : "were") +
                     " skipped.";
        throw Error(ErrorKind::DataException,
                    "kmeans_fit needs at least k usable rows: got " + std::to_string(usable) +
                        " usable" + rows_word(usable) + " for k = " + std::to_string(k),
                    detail);
    }

    RowMap X(rows.data(), usable, d);
    // The features' statistics and the scaler read the same rows: two tasks (the first
    // error is the statistics', as in this order on one thread).
    threads_runner(threads)(
        2,
        [&](int32_t task, const Interrupt& task_interrupt) {
            if (task == 0)
                column_mean_std(as_const(X), m.feature_mean, m.feature_std, task_interrupt);
            else
                m.scaler = fit_scaler(as_const(X), opts.scale, task_interrupt);
        },
        interrupt);
    // Scaled in place and checked, per block of rows (the first bad row is reported).
    threads_runner(threads)(
        task_blocks(usable),
        [&](int32_t b, const Interrupt&) {
            const int64_t lo = task_block_begin(b);
            const RowMap block(X.data() + lo * d, task_block_end(b, usable) - lo, d);
            m.scaler.transform_rows(block);
            check_scaled_range(as_const(block), lo);
        },
        interrupt);

    const KMeansRun run = kmeans_run_parallel(as_const(X), k, opts, interrupt, threads);
    m.inertia = run.inertia;
    m.n_iter = run.n_iter;
    order_clusters(as_const(X), run, m, interrupt);
    validate_model(m, ErrorKind::Internal);
    return m;
}

}  // namespace cseg
