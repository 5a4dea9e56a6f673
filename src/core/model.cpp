// Names of the model's enums and the one consistency check every model passes.
#include "model.hpp"

#include <cmath>
#include <string>

#include "model_json.hpp"

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

// Checks a list of feature names: none at all, or exactly dims names without NUL bytes.
void check_names(const std::vector<std::string>& names, bool required, size_t dims,
                 const char* name, ErrorKind kind) {
    if (names.empty() && !required) return;
    if (names.size() != dims)
        fail(kind, std::string(name) + " has " + std::to_string(names.size()) +
                       " names, expected dims = " + std::to_string(dims));
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i].find('\0') != std::string::npos)
            fail(kind, std::string(name) + "[" + std::to_string(i) + "] contains a NUL byte");
}

}  // namespace

// Throws Error(kind) naming the first inconsistency of the model.
void validate_model(const Model& m, ErrorKind kind) {
    if (m.k < 1) fail(kind, "k must be at least 1, got " + std::to_string(m.k));
    if (m.dims < 1) fail(kind, "dims must be at least 1, got " + std::to_string(m.dims));
    const size_t k = size_t(m.k), d = size_t(m.dims);

    validate_kmeans_options(m.options, kind, kPrefix);
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
    if (m.n_rows > 0 && m.k > m.n_rows)
        fail(kind, "k = " + std::to_string(m.k) + " exceeds n_rows = " + std::to_string(m.n_rows));
    if (m.sizes.size() != k)
        fail(kind, "sizes has " + std::to_string(m.sizes.size()) +
                       " values, expected k = " + std::to_string(k));
    int64_t total = 0;
    for (size_t c = 0; c < k; ++c) {
        if (m.sizes[c] < 0) fail(kind, "sizes[" + std::to_string(c) + "] is negative");
        if (m.sizes[c] > m.n_rows - total)  // overflow-free: total <= n_rows here
            fail(kind, "sizes sum to more than n_rows = " + std::to_string(m.n_rows));
        total += m.sizes[c];
    }
    if (total != m.n_rows)
        fail(kind, "sizes sum to " + std::to_string(total) +
                       ", expected n_rows = " + std::to_string(m.n_rows));
    if (!std::isfinite(m.inertia) || m.inertia < 0.0)
        fail(kind, "inertia must be a finite number >= 0");

    if (m.options.missing == MissingPolicy::Impute)
        check_numbers(m.impute, d, "impute", "dims", false, kind);
    else if (!m.impute.empty())
        fail(kind, "impute values are present but option \"missing\" is not \"impute\"");
    check_numbers(m.feature_mean, d, "feature_mean", "dims", false, kind);
    check_numbers(m.feature_std, d, "feature_std", "dims", true, kind);
    check_numbers(m.mean_distance, k, "mean_distance", "k", true, kind);
}

}  // namespace cseg
