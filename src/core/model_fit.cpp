// The one fit pipeline of the model family (see model_fit.hpp).
#include "model_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cluster_order.hpp"
#include "feature_pipeline.hpp"
#include "feature_stats.hpp"
#include "json.hpp"
#include "missing.hpp"
#include "model_json.hpp"
#include "model_kind.hpp"
#include "row_order.hpp"
#include "pca.hpp"
#include "scaler.hpp"
#include "task_threads.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;
// number_clusters' distances: rows held at once, and rows per task.
constexpr int64_t kDistanceWindow = 65536;
constexpr int64_t kDistanceTaskRows = 8192;

// "row" or "rows" after a count.
std::string rows_word(int64_t n) { return n == 1 ? " row" : " rows"; }

// The rows being fitted: numbers (n x p) and, for a categorical kind, codes (n x q).
struct Rows {
    double* x;
    int32_t* codes;  // nullptr when q = 0
    int64_t n;
    int32_t p, q;
    const std::vector<std::vector<std::string>>* categories;  // q vocabularies, or nullptr
};

// A missing number (non-finite) or category (code < 0) in row i?
bool row_incomplete(const Rows& r, int64_t i) {
    if (row_has_missing(r.x + i * r.p, r.p)) return true;
    for (int32_t j = 0; j < r.q; ++j)
        if (r.codes[i * r.q + j] < 0) return true;
    return false;
}

// A row as "{1.5, NaN, 3}" (shortest round-trip numbers; missing elements show as NaN), then
// its categories as "{a, NULL}" for a categorical kind.
std::string row_text(const Rows& r, int64_t i) {
    std::string out = "{";
    for (int32_t j = 0; j < r.p; ++j) {
        const double v = r.x[i * r.p + j];
        if (j > 0) out += ", ";
        if (std::isnan(v)) {
            out += "NaN";
        } else if (std::isinf(v)) {
            out += v > 0 ? "Infinity" : "-Infinity";
        } else {
            append_shortest(out, v);
        }
    }
    out += "}";
    if (r.q == 0) return out;
    out += " {";
    for (int32_t j = 0; j < r.q; ++j) {
        const int32_t c = r.codes[i * r.q + j];
        if (j > 0) out += ", ";
        out += c < 0 ? "NULL" : (*r.categories)[size_t(j)][size_t(c)];
    }
    return out + "}";
}

// What a missing value is, for messages.
const char* missing_what(const Rows& r) {
    return r.q == 0 ? kMissingElement : "a NULL or non-finite number or a NULL category";
}

// When every row was skipped: which features are missing in how many rows (the rows are
// still in place then: the compaction moved none); missing_by_feature_text says it.
std::string missing_by_feature(const Rows& r, const std::vector<std::string>& names,
                               const std::vector<std::string>& categorical_names) {
    std::vector<int64_t> counts(size_t(r.p + r.q), 0);
    for (int32_t j = 0; j < r.p + r.q; ++j)
        for (int64_t i = 0; i < r.n; ++i)
            counts[size_t(j)] +=
                j < r.p ? !std::isfinite(r.x[i * r.p + j]) : r.codes[i * r.q + j - r.p] < 0;
    return missing_by_feature_text(counts, r.p, names, categorical_names);
}

// Sorts the rows into canonical order: the numbers, then the codes (row_order.hpp).
void canonical_order(Rows& r, const Interrupt& interrupt, int32_t threads) {
    if (r.q == 0) {
        sort_rows(r.x, nullptr, r.n, r.p, interrupt, threads_runner(threads));
        return;
    }
    const int32_t w = r.p + r.q;
    std::vector<double> rows(static_cast<size_t>(r.n) * static_cast<size_t>(w));
    for (int64_t i = 0; i < r.n; ++i) {
        std::copy_n(r.x + i * r.p, r.p, rows.data() + i * w);
        for (int32_t j = 0; j < r.q; ++j) {
            const int32_t c = r.codes[i * r.q + j];
            rows[size_t(i * w + r.p + j)] =
                c < 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(c);
        }
    }
    sort_rows(rows.data(), nullptr, r.n, w, interrupt, threads_runner(threads));
    for (int64_t i = 0; i < r.n; ++i) {
        std::copy_n(rows.data() + i * w, r.p, r.x + i * r.p);
        for (int32_t j = 0; j < r.q; ++j) {
            const double c = rows[size_t(i * w + r.p + j)];
            r.codes[i * r.q + j] = std::isnan(c) ? -1 : static_cast<int32_t>(c);
        }
    }
}

// missing = "error": any incomplete row is an error that counts them and shows one (rows are
// in canonical order here, so a row number would mean nothing to the caller).
void reject_missing(const Rows& r, const char* fn, const Interrupt& interrupt) {
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < r.n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        if (row_incomplete(r, i) && bad++ == 0) first = i;
    }
    if (bad == 0) return;
    throw Error(ErrorKind::NullValue,
                std::to_string(bad) + rows_word(bad) + (bad == 1 ? " has " : " have ") +
                    missing_what(r) + ", e.g. " + row_text(r, first),
                std::string(fn) + " was called with option \"missing\" = \"error\"; NULL " +
                    "elements show as NaN.",
                std::string("Use \"missing\": \"skip\" to leave such rows out or \"impute\" to "
                            "replace missing elements by the feature mean") +
                    (r.q > 0 ? " or the most frequent category." : "."));
}

// missing = "skip": moves the complete rows to the front, keeping their order.
int64_t keep_complete_rows(Rows& r, const Interrupt& interrupt) {
    if (r.q == 0) return compact_complete_rows(r.x, r.n, r.p);
    int64_t kept = 0;
    for (int64_t i = 0; i < r.n; ++i) {
        if ((i % kPollRows) == 0) interrupt.poll();
        if (row_incomplete(r, i)) continue;
        if (kept != i) {
            std::copy_n(r.x + i * r.p, r.p, r.x + kept * r.p);
            std::copy_n(r.codes + i * r.q, r.q, r.codes + kept * r.q);
        }
        ++kept;
    }
    return kept;
}

// missing = "impute" for the categories: each NULL becomes the attribute's most frequent
// category (ties: the lowest code), kept in the model.
void impute_categories(Rows& r, Model& m) {
    m.categorical.impute.assign(size_t(r.q), 0);
    for (int32_t j = 0; j < r.q; ++j) {
        const size_t nv = (*r.categories)[size_t(j)].size();
        std::vector<int64_t> counts(nv, 0);
        int64_t seen = 0;
        for (int64_t i = 0; i < r.n; ++i) {
            const int32_t c = r.codes[i * r.q + j];
            if (c >= 0) {
                ++counts[size_t(c)];
                ++seen;
            }
        }
        if (seen == 0)
            throw Error(ErrorKind::DataException,
                        "cannot impute categorical attribute " + std::to_string(j + 1) +
                            ": it is NULL in every row",
                        "Option \"missing\" = \"impute\" replaces a NULL category by the most "
                        "frequent one of its attribute.");
        int32_t fill = 0;
        for (size_t v = 1; v < nv; ++v)
            if (counts[v] > counts[size_t(fill)]) fill = int32_t(v);
        m.categorical.impute[size_t(j)] = fill;
        for (int64_t i = 0; i < r.n; ++i)
            if (r.codes[i * r.q + j] < 0) r.codes[i * r.q + j] = fill;
    }
}

// Applies the missing policy; returns the usable rows, which then fill the front. Rows known
// to be complete (numbers only) need no scan.
int64_t apply_missing_policy(Rows& r, Model& m, const char* fn, bool complete,
                             const Interrupt& interrupt) {
    if (complete && r.q == 0) return r.n;
    switch (m.options.missing) {
        case MissingPolicy::Skip:
            return keep_complete_rows(r, interrupt);
        case MissingPolicy::Error:
            reject_missing(r, fn, interrupt);
            return r.n;
        case MissingPolicy::Impute:  // the numbers: by the feature pipeline
            if (r.q > 0) impute_categories(r, m);
            return r.n;
    }
    return r.n;
}

// k, shapes and options, before any work.
void check_arguments(const ModelKind& kind, const FitInput& in, int32_t k,
                     const KMeansOptions& opts) {
    const char* fn = kind.fit_function();
    const int32_t q = in.categories != nullptr ? in.categories->dims : 0;
    if (k < 1)
        throw Error(ErrorKind::InvalidParameter,
                    "k must be at least 1 (got k = " + std::to_string(k) + ")");
    if (kind.categorical() != (in.categories != nullptr))
        throw Error(ErrorKind::Internal, std::string(fn) + ": categories given to the wrong kind");
    if (in.dims < 1 || (kind.categorical() && q < 1))
        throw Error(ErrorKind::ArrayShape,
                    std::string(fn) + (kind.categorical()
                                           ? " needs numeric and categorical arrays of at least "
                                             "one element"
                                           : " needs feature arrays of at least one element"));
    if (in.categories != nullptr &&
        (in.categories->codes.size() != size_t(in.n) * size_t(q) ||
         in.categories->categories.size() != size_t(q)))
        throw Error(ErrorKind::Internal, std::string(fn) + ": inconsistent categories");
    validate_model_options(opts, kind.algorithm(), ErrorKind::InvalidParameter,
                           std::string(fn) + " ");
    const char* arrays = kind.categorical() ? "numeric" : "feature";
    if (!opts.transform.empty() && opts.transform.size() != size_t(in.dims))
        throw Error(ErrorKind::InvalidParameter,
                    std::string(fn) + " option \"transform\" has " +
                        std::to_string(opts.transform.size()) + " entries but the " + arrays +
                        " arrays have " + std::to_string(in.dims) + " elements");
    if (opts.has_feature_names && opts.feature_names.size() != size_t(in.dims))
        throw Error(ErrorKind::InvalidParameter,
                    std::string(fn) + " option \"feature_names\" has " +
                        std::to_string(opts.feature_names.size()) + " names but the " + arrays +
                        " arrays have " + std::to_string(in.dims) + " elements");
    if (opts.has_categorical_names && opts.categorical_names.size() != size_t(q))
        throw Error(ErrorKind::InvalidParameter,
                    std::string(fn) + " option \"categorical_names\" has " +
                        std::to_string(opts.categorical_names.size()) +
                        " names but the categorical arrays have " + std::to_string(q) +
                        " elements");
}

// Sizes and mean distances from the fit's labels, the numbering by size, the labels renumbered.
// The distances of a window of rows are taken on the runner's threads, then added in row
// order, so the sums are the same for every thread count.
void number_clusters(const ModelKind& kind, const FitRows& rows, KindFit& fit, Model& m,
                     const Interrupt& interrupt, const TaskRunner& runner) {
    const int32_t k = m.k, d = m.dims;
    const int64_t n = rows.X.rows();
    std::vector<int64_t> size(size_t(k), 0);
    std::vector<double> dist_sum(size_t(k), 0.0);
    std::vector<double> dist(size_t(std::min(n, kDistanceWindow)));
    for (int64_t w0 = 0; w0 < n; w0 += kDistanceWindow) {
        const int64_t len = std::min(kDistanceWindow, n - w0);
        const RowBlocks parts{len, kDistanceTaskRows};  // rows of the window, from w0
        runner(
            parts.count(),
            [&](int32_t t, const Interrupt& task_interrupt) {
                task_interrupt.poll();
                kind.fit_distances(m, fit, rows, w0 + parts.begin(t), w0 + parts.end(t),
                                   dist.data() + parts.begin(t));
            },
            interrupt);
        for (int64_t i = w0; i < w0 + len; ++i) {
            const int32_t a = fit.labels[size_t(i)];
            if (a < 0) continue;
            ++size[size_t(a)];
            dist_sum[size_t(a)] += dist[size_t(i - w0)];
        }
    }
    const std::vector<int32_t> order =
        cluster_order(size, fit.centers.data(), d, fit.modes.empty() ? nullptr : fit.modes.data(),
                      fit.modes.empty() ? 0 : rows.cat_dims);
    std::vector<int32_t> renumber(static_cast<size_t>(k), 0);
    m.centroids.resize(size_t(k) * size_t(d));
    m.sizes.resize(size_t(k));
    m.mean_distance.resize(size_t(k));
    for (int32_t c = 0; c < k; ++c) {
        const int32_t old = order[size_t(c)];
        renumber[size_t(old)] = c;
        std::copy_n(fit.centers.data() + int64_t{old} * d, d, m.centroids.data() + int64_t{c} * d);
        m.sizes[size_t(c)] = size[size_t(old)];
        m.mean_distance[size_t(c)] =
            size[size_t(old)] > 0 ? dist_sum[size_t(old)] / static_cast<double>(size[size_t(old)])
                                  : 0.0;
    }
    std::vector<int32_t> labels(fit.labels.size());
    for (size_t i = 0; i < labels.size(); ++i)
        labels[i] = fit.labels[i] < 0 ? fit.labels[i] : renumber[size_t(fit.labels[i])];
    kind.finish_fit(rows, fit, labels, order, m, interrupt);
}

}  // namespace

// "Missing by feature: \"income\" in 200 rows, \"age\" in 3 rows.": the five columns missing
// in the most rows, most first (ties in column order).
std::string missing_by_feature_text(const std::vector<int64_t>& missing, int32_t p,
                                    const std::vector<std::string>& names,
                                    const std::vector<std::string>& categorical_names) {
    std::vector<std::pair<int64_t, int32_t>> counts;  // (rows, column), numbers then categories
    for (size_t j = 0; j < missing.size(); ++j)
        if (missing[j] > 0) counts.push_back({missing[j], int32_t(j)});
    std::stable_sort(counts.begin(), counts.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string out = "Missing by feature:";
    for (size_t c = 0; c < counts.size() && c < 5; ++c) {
        const int32_t j = counts[c].second;
        const std::vector<std::string>& from = j < p ? names : categorical_names;
        const size_t at = size_t(j < p ? j : j - p);
        const std::string name = at < from.size() ? "\"" + from[at] + "\""
                                 : (j < p ? "feature " : "category ") + std::to_string(at + 1);
        out += (c == 0 ? " " : ", ") + name + " in " + std::to_string(counts[c].first) +
               rows_word(counts[c].first);
    }
    return out + (counts.size() > 5 ? ", ..." : "") + ".";
}

// "<fn> needs at least k usable rows: got ...", the skipped rows and `more` as its detail.
Error too_few_usable_rows(std::string_view fn, int64_t usable, int32_t k, int64_t skipped,
                          std::string_view what, std::string_view more) {
    std::string detail;
    if (skipped > 0)
        detail = std::to_string(skipped) + rows_word(skipped) + " with " + std::string(what) +
                 (skipped == 1 ? " was" : " were") + " skipped.";
    if (!more.empty()) detail += (detail.empty() ? "" : " ") + std::string(more);
    return Error(ErrorKind::DataException,
                 std::string(fn) + " needs at least k usable rows: got " + std::to_string(usable) +
                     " usable" + rows_word(usable) + " for k = " + std::to_string(k),
                 detail);
}

// Canonical order, missing values, statistics, scaler, the kind's fit, numbering, validation.
Model fit_model(const ModelKind& kind, FitInput in, int32_t k, const KMeansOptions& opts,
                const Interrupt& interrupt, int32_t threads) {
    check_arguments(kind, in, k, opts);
    const char* fn = kind.fit_function();
    const int32_t d = in.dims;
    CategoryCodes* cats = in.categories;
    Rows r{in.numeric, cats != nullptr ? cats->codes.data() : nullptr, in.n, d,
           cats != nullptr ? cats->dims : 0, cats != nullptr ? &cats->categories : nullptr};

    Model m;
    m.algorithm = kind.algorithm();
    m.k = k;
    m.dims = d;
    m.options = opts;
    if (opts.has_feature_names) m.feature_names = opts.feature_names;
    if (cats != nullptr) {
        m.categorical.dims = r.q;
        if (opts.has_categorical_names) m.categorical.names = opts.categorical_names;
    }

    if (!in.canonical) canonical_order(r, interrupt, threads);
    const int64_t usable = apply_missing_policy(r, m, fn, in.complete, interrupt);
    m.n_rows = usable;
    m.n_skipped = in.n - usable;
    if (usable < k)
        throw too_few_usable_rows(
            fn, usable, k, m.n_skipped, missing_what(r),
            usable == 0 && m.n_skipped > 0
                ? missing_by_feature(r, opts.feature_names, opts.categorical_names)
                : std::string());
    if (cats != nullptr) m.categorical.categories = std::move(cats->categories);

    const ConstRowMap Xc(r.x, usable, d);
    // Transform, impute, clip (and the profile statistics and deciles), then the scaler.
    const TaskRunner runner = threads_runner(threads);
    ColumnMoments moments;  // of the rows the scaler sees, when the pipeline left them as is
    m.pipeline = fit_feature_pipeline(RowMap(r.x, usable, d), pipeline_spec(opts), m.impute,
                                      m.feature_mean, m.feature_std, interrupt, runner, &moments);
    m.scaler = fit_scaler(Xc, opts.scale, interrupt, moments.n > 0 ? &moments : nullptr);
    // Scaled in place and checked, per block of rows (the first bad row is reported).
    runner(
        task_blocks(usable),
        [&](int32_t b, const Interrupt&) {
            const int64_t lo = task_block_begin(b);
            const RowMap block(r.x + lo * d, task_block_end(b, usable) - lo, d);
            m.scaler.transform_rows(block);
            check_scaled_range(ConstRowMap(block.data(), block.rows(), d), lo,
                               opts.feature_names);
        },
        interrupt);
    // The 2-D principal components of the scaled rows, for seg_project and the segment map;
    // a kind that holds itself to a budget (hierarchical) holds them to it too.
    const double projection = projection_fit_bytes(usable, d, threads);
    if (projection > in.memory_budget)
        throw Error(ErrorKind::OutOfMemory,
                    "the principal components of " + std::to_string(usable) + " rows x " +
                        std::to_string(d) + " features need " +
                        std::to_string(int64_t(std::ceil(projection / 1048576.0))) +
                        " MB, more than customer_seg.max_memory leaves beside the rows (" +
                        std::to_string(int64_t(in.memory_budget / 1048576.0)) + " MB)",
                    {}, "Raise customer_seg.max_memory, or work on a sample of the rows.");
    m.projection = fit_projection(Xc, interrupt, runner);

    FitRows rows{Xc, r.codes, r.q, {}, in.memory_budget};
    for (int32_t j = 0; j < r.q; ++j)
        rows.n_categories.push_back(
            static_cast<int32_t>(m.categorical.categories[size_t(j)].size()));
    KindFit fit = kind.fit(rows, k, m, interrupt, threads);
    number_clusters(kind, rows, fit, m, interrupt, runner);
    validate_model(m, ErrorKind::Internal);
    return m;
}

// The kmeans kind on rows already in canonical order.
Model fit_kmeans_model(RowMap rows, int32_t k, const KMeansOptions& opts,
                       const Interrupt& interrupt, int32_t threads) {
    FitInput in;
    in.numeric = rows.data();
    in.n = rows.rows();
    in.dims = static_cast<int32_t>(rows.cols());
    in.canonical = true;
    return fit_model(model_kind(ModelAlgorithm::KMeans), in, k, opts, interrupt, threads);
}

}  // namespace cseg
