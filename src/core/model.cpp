// Names of the model's enums and the one consistency check every model passes.
#include "model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "model_json.hpp"
#include "model_kind.hpp"

namespace cseg {

// Canonical name of an initialisation method (as the "init" option spells it).
const char* init_method_name(InitMethod m) {
    switch (m) {
        case InitMethod::KMeansPlusPlus:
            return "k-means++";
        case InitMethod::Random:
            return "random";
    }
    return "unknown";
}

// Canonical name of a missing-value policy (as the "missing" option spells it).
const char* missing_policy_name(MissingPolicy m) {
    switch (m) {
        case MissingPolicy::Skip:
            return "skip";
        case MissingPolicy::Error:
            return "error";
        case MissingPolicy::Impute:
            return "impute";
    }
    return "unknown";
}

// Name of a refinement method as the "refine" option spells it.
const char* refine_method_name(RefineMethod m) {
    switch (m) {
        case RefineMethod::Hartigan:
            return "hartigan";
        case RefineMethod::None:
            return "none";
    }
    return "unknown";
}

// Name of an algorithm as the JSON "algorithm" key spells it.
const char* model_algorithm_name(ModelAlgorithm a) {
    switch (a) {
        case ModelAlgorithm::KMeans:
            return "kmeans";
        case ModelAlgorithm::KPrototypes:
            return "kprototypes";
        case ModelAlgorithm::Hierarchical:
            return "hierarchical";
        case ModelAlgorithm::Gmm:
            return "gmm";
        case ModelAlgorithm::Dbscan:
            return "dbscan";
    }
    return "unknown";
}

namespace {

constexpr const char* kPrefix = "invalid segmodel: ";

// Throws Error(kind) with the model prefix.
[[noreturn]] void fail(ErrorKind kind, const std::string& what) {
    throw Error(kind, kPrefix + what);
}

// Checks a vector of doubles: exactly n entries, all finite, and >= 0 when non_negative.
void check_numbers(const std::vector<double>& v, size_t n, const char* name, const char* n_name,
                   bool non_negative, ErrorKind kind) {
    if (v.size() != n)
        fail(kind, std::string(name) + " has " + std::to_string(v.size()) + " values, expected " +
                       n_name + " = " + std::to_string(n));
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i]))
            fail(kind, std::string(name) + "[" + std::to_string(i) + "] is not finite");
        if (non_negative && v[i] < 0.0)
            fail(kind, std::string(name) + "[" + std::to_string(i) + "] is negative");
    }
}

// Checks a list of feature names: none at all, or exactly dims names without NUL bytes
// (dims_name names the expected count in messages).
void check_names(const std::vector<std::string>& names, bool required, size_t dims,
                 const char* name, ErrorKind kind, const char* dims_name = "dims") {
    if (names.empty() && !required) return;
    if (names.size() != dims)
        fail(kind, std::string(name) + " has " + std::to_string(names.size()) +
                       " names, expected " + dims_name + " = " + std::to_string(dims));
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i].find('\0') != std::string::npos)
            fail(kind, std::string(name) + "[" + std::to_string(i) + "] contains a NUL byte");
}

// Checks k * q category codes (or q when per_cluster is false) against the vocabularies.
void check_codes(const std::vector<int32_t>& codes, const CategoricalPart& c, size_t expected,
                 const char* name, const char* n_name, ErrorKind kind) {
    if (codes.size() != expected)
        fail(kind, std::string(name) + " has " + std::to_string(codes.size()) +
                       " values, expected " + n_name + " = " + std::to_string(expected));
    const size_t q = size_t(c.dims);
    for (size_t i = 0; i < codes.size(); ++i) {
        const std::vector<std::string>& vocab = c.categories[i % q];
        if (codes[i] < 0 || size_t(codes[i]) >= vocab.size())
            fail(kind, std::string(name) + "[" + std::to_string(i) + "] is not a category of "
                       "attribute " + std::to_string(i % q + 1));
    }
}

// The categorical part: all empty for kinds without categories (k-means); for k-prototypes
// q >= 1 attributes with non-empty, strictly ascending (bytewise) vocabularies, codes in
// range, shares in [0, 1].
void check_categorical(const Model& m, const ModelKind& model_kind, ErrorKind kind) {
    const CategoricalPart& c = m.categorical;
    if (!model_kind.categorical()) {
        if (c.dims != 0 || !c.names.empty() || !c.categories.empty() || !c.modes.empty() ||
            !c.mode_share.empty() || !c.impute.empty() || c.gamma != 0.0 || c.cost != 0.0)
            fail(kind, std::string("a ") + model_kind.name() + " model has no categorical part");
        return;
    }
    if (c.dims < 1)
        fail(kind, "categorical_dims must be at least 1, got " + std::to_string(c.dims));
    const size_t k = size_t(m.k), q = size_t(c.dims);
    check_names(c.names, false, q, "categorical_names", kind, "categorical_dims");
    check_names(m.options.categorical_names, m.options.has_categorical_names, q,
                "options.categorical_names", kind, "categorical_dims");
    if (c.categories.size() != q)
        fail(kind, "categories has " + std::to_string(c.categories.size()) +
                       " lists, expected categorical_dims = " + std::to_string(q));
    for (size_t j = 0; j < q; ++j) {
        const std::vector<std::string>& vocab = c.categories[j];
        const std::string at = "categories[" + std::to_string(j) + "]";
        if (vocab.empty()) fail(kind, at + " is empty");
        for (size_t v = 0; v < vocab.size(); ++v) {
            if (vocab[v].find('\0') != std::string::npos)
                fail(kind, at + "[" + std::to_string(v) + "] contains a NUL byte");
            if (v > 0 && !(vocab[v - 1] < vocab[v]))
                fail(kind, at + " is not sorted and unique (byte order)");
        }
    }
    check_codes(c.modes, c, k * q, "modes", "k * categorical_dims", kind);
    check_numbers(c.mode_share, k * q, "mode_shares", "k * categorical_dims", true, kind);
    for (size_t i = 0; i < c.mode_share.size(); ++i)
        if (c.mode_share[i] > 1.0) fail(kind, "mode_shares[" + std::to_string(i) + "] exceeds 1");
    if (m.options.missing == MissingPolicy::Impute)
        check_codes(c.impute, c, q, "categorical_impute", "categorical_dims", kind);
    else if (!c.impute.empty())
        fail(kind, "categorical_impute values are present but option \"missing\" is not "
                   "\"impute\"");
    if (!std::isfinite(c.gamma) || c.gamma < 0.0) fail(kind, "gamma must be a finite number >= 0");
    if (m.options.has_gamma && c.gamma != m.options.gamma)
        fail(kind, "gamma differs from option \"gamma\"");
    if (!std::isfinite(c.cost) || c.cost < 0.0) fail(kind, "cost must be a finite number >= 0");
}

// The size an extent stands for in model m (Free: none, -1).
int64_t extent_size(KindExtent e, const Model& m) {
    switch (e) {
        case KindExtent::One:
            return 1;
        case KindExtent::K:
            return m.k;
        case KindExtent::Dims:
            return m.dims;
        case KindExtent::Free:
            break;
    }
    return -1;
}

// The kind's stored arrays: one per spec, rows as the spec says, rows * cols values of the
// spec's type (doubles finite), nothing of the other type.
void check_kind_arrays(const Model& m, const ModelKind& model_kind, ErrorKind kind) {
    const std::vector<KindArraySpec> specs = model_kind.arrays();
    if (m.kind_arrays.size() != specs.size())
        fail(kind, std::string("a ") + model_kind.name() + " model stores " +
                       std::to_string(specs.size()) + " arrays of its own, got " +
                       std::to_string(m.kind_arrays.size()));
    for (size_t i = 0; i < specs.size(); ++i) {
        const KindArraySpec& s = specs[i];
        const KindArray& a = m.kind_arrays[i];
        const int64_t rows = extent_size(s.rows, m), cols = extent_size(s.cols, m);
        if (cols < 1) fail(kind, std::string(s.name) + ": a kind array needs a fixed column count");
        if (a.rows < 0 || (rows >= 0 && a.rows != rows))
            fail(kind, std::string(s.name) + " has " + std::to_string(a.rows) + " rows, expected " +
                           (rows >= 0 ? std::to_string(rows) : std::string("a count >= 0")));
        if (a.rows > std::numeric_limits<int64_t>::max() / cols)
            fail(kind, std::string(s.name) + " is too large");
        const size_t n = size_t(a.rows * cols);
        if (s.integer) {
            if (a.integers.size() != n || !a.values.empty())
                fail(kind, std::string(s.name) + " has " + std::to_string(a.integers.size()) +
                               " integers, expected " + std::to_string(n));
        } else {
            if (!a.integers.empty()) fail(kind, std::string(s.name) + " holds integers");
            check_numbers(a.values, n, s.name, "its rows * cols", false, kind);
        }
    }
}

// The fitted pipeline against the options: transform and clip present exactly when asked for.
void check_pipeline(const Model& m, ErrorKind kind) {
    const KMeansOptions& o = m.options;
    if (!o.transform.empty() && o.transform.size() != size_t(m.dims))
        fail(kind, "option \"transform\" has " + std::to_string(o.transform.size()) +
                       " entries, expected dims = " + std::to_string(m.dims));
    const bool active = std::any_of(o.transform.begin(), o.transform.end(),
                                    [](FeatureTransform t) { return t != FeatureTransform::None; });
    if (active ? m.pipeline.transform != o.transform : !m.pipeline.transform.empty())
        fail(kind, "\"transform\" differs from option \"transform\"");
    if (o.has_clip == m.pipeline.clip_lo.empty())
        fail(kind, o.has_clip ? "option \"clip\" is set but \"clip_bounds\" are missing"
                              : "\"clip_bounds\" are present but option \"clip\" is null");
    validate_feature_pipeline(m.pipeline, m.dims, kind);
}

}  // namespace

// Throws Error(kind) naming the first inconsistency of the model.
void validate_model(const Model& m, ErrorKind kind) {
    if (m.k < 1) fail(kind, "k must be at least 1, got " + std::to_string(m.k));
    if (m.dims < 1) fail(kind, "dims must be at least 1, got " + std::to_string(m.dims));
    const size_t k = size_t(m.k), d = size_t(m.dims);

    const ModelKind* model_kind = find_model_kind(uint8_t(m.algorithm));
    if (model_kind == nullptr)
        fail(kind, "unknown algorithm code " + std::to_string(int(m.algorithm)));
    validate_model_options(m.options, m.algorithm, kind, kPrefix);
    check_names(m.feature_names, false, d, "feature_names", kind);
    check_names(m.options.feature_names, m.options.has_feature_names, d, "options.feature_names",
                kind);

    if (m.scaler.center.size() != d || m.scaler.scale.size() != d)
        fail(kind, "the scaler has " + std::to_string(m.scaler.center.size()) + " centers and " +
                       std::to_string(m.scaler.scale.size()) +
                       " scales, expected dims = " + std::to_string(d));
    validate_scaler(m.scaler, kind);
    if (m.scaler.method != m.options.scale)
        fail(kind, std::string("the scaler's method \"") + scale_method_name(m.scaler.method) +
                       "\" differs from option \"scale\" = \"" +
                       scale_method_name(m.options.scale) + "\"");

    check_numbers(m.centroids, k * d, "centroids", "k * dims", false, kind);

    if (m.n_rows < 0) fail(kind, "n_rows is negative");
    if (m.n_skipped < 0) fail(kind, "n_skipped is negative");
    if (m.n_iter < 0) fail(kind, "n_iter is negative");
    if (m.n_skipped > std::numeric_limits<int64_t>::max() - m.n_rows)
        fail(kind, "n_rows + n_skipped overflows");
    if (m.options.sample > 0) {  // fitted on a reservoir sample of the rows seen
        if (m.n_rows > m.options.sample)
            fail(kind, "n_rows = " + std::to_string(m.n_rows) + " exceeds option \"sample\" = " +
                           std::to_string(m.options.sample));
        if (m.n_seen < m.n_rows || m.n_seen - m.n_rows < m.n_skipped)
            fail(kind, "n_seen = " + std::to_string(m.n_seen) +
                           " is less than n_rows + n_skipped = " + std::to_string(m.n_rows) +
                           " + " + std::to_string(m.n_skipped));
    } else if (m.n_seen != 0) {
        fail(kind, "n_seen is recorded but option \"sample\" is not set");
    }
    if (m.n_rows > 0 && m.k > m.n_rows)
        fail(kind, "k = " + std::to_string(m.k) + " exceeds n_rows = " + std::to_string(m.n_rows));
    if (m.sizes.size() != k)
        fail(kind, "sizes has " + std::to_string(m.sizes.size()) +
                       " values, expected k = " + std::to_string(k));
    check_kind_arrays(m, *model_kind, kind);
    const int64_t unclustered = model_kind->unclustered_rows(m);
    if (unclustered < 0 || unclustered > m.n_rows)
        fail(kind, "rows in no cluster must be between 0 and n_rows");
    int64_t total = unclustered;
    for (size_t c = 0; c < k; ++c) {
        if (m.sizes[c] < 0) fail(kind, "sizes[" + std::to_string(c) + "] is negative");
        if (m.sizes[c] > m.n_rows - total)  // overflow-free: total <= n_rows here
            fail(kind, "sizes sum to more than n_rows = " + std::to_string(m.n_rows));
        total += m.sizes[c];
    }
    if (total != m.n_rows)
        fail(kind, "sizes sum to " + std::to_string(total - unclustered) + ", expected n_rows = " +
                       std::to_string(m.n_rows) +
                       (unclustered > 0 ? " minus " + std::to_string(unclustered) + " noise rows"
                                        : std::string()));
    if (!std::isfinite(m.inertia) || m.inertia < 0.0)
        fail(kind, "inertia must be a finite number >= 0");

    if (m.options.missing == MissingPolicy::Impute)
        check_numbers(m.impute, d, "impute", "dims", false, kind);
    else if (!m.impute.empty())
        fail(kind, "impute values are present but option \"missing\" is not \"impute\"");
    check_numbers(m.feature_mean, d, "feature_mean", "dims", false, kind);
    check_numbers(m.feature_std, d, "feature_std", "dims", true, kind);
    check_numbers(m.mean_distance, k, "mean_distance", "k", true, kind);
    check_pipeline(m, kind);
    check_categorical(m, *model_kind, kind);
    model_kind->validate(m, kind);
    if (has_projection(m.projection)) validate_projection(m.projection, m.dims, kind);
}

// The options that fit the pipeline.
PipelineSpec pipeline_spec(const KMeansOptions& o) {
    PipelineSpec s;
    s.transform = o.transform;
    s.clip = o.has_clip;
    s.clip_q_lo = o.clip_lo;
    s.clip_q_hi = o.clip_hi;
    s.impute = o.missing == MissingPolicy::Impute;
    s.impute_method = o.impute;
    s.feature_names = o.feature_names;
    return s;
}

// n_seen when sampled, else every row the aggregate saw was used or skipped.
int64_t rows_seen(const Model& m) {
    return m.options.sample > 0 ? m.n_seen : m.n_rows + m.n_skipped;
}

}  // namespace cseg
