// The k sweep (see sweep.hpp).
#include "sweep.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "distance.hpp"
#include "model_fit.hpp"
#include "json.hpp"
#include "kneedle.hpp"
#include "labels.hpp"
#include "metrics.hpp"
#include "model_json.hpp"

namespace cseg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kPollRows = 4096;  // rows between interrupt polls

// Error(InvalidParameter) for one of the sweep's own options.
[[noreturn]] void bad_option(const std::string& key, const std::string& expected) {
    throw Error(ErrorKind::InvalidParameter,
                "kmeans_sweep option \"" + key + "\" must be " + expected);
}

// Replaces the first occurrence of `from` in s by `to`.
std::string replace_first(std::string s, const std::string& from, const std::string& to) {
    const size_t at = s.find(from);
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

// Labels of the n scaled rows: the nearest centroid of the model, as seg_assign.
std::vector<int32_t> nearest_labels(ConstRowMap X, const Model& m, const Interrupt& interrupt) {
    std::vector<int32_t> labels(static_cast<size_t>(X.rows()));
    for (int64_t i = 0; i < X.rows(); ++i) {
        if (i % kPollRows == 0) interrupt.poll();
        labels[size_t(i)] =
            nearest_centroid(X.data() + i * X.cols(), m.centroids.data(), m.k, m.dims, nullptr);
    }
    return labels;
}

// Marks the Kneedle elbow of (k, inertia) and the best silhouette.
void mark_choices(std::vector<SweepPoint>& points, double sensitivity) {
    std::vector<double> k, inertia;
    for (const SweepPoint& p : points) {
        k.push_back(p.k);
        inertia.push_back(p.inertia);
    }
    const int64_t knee = find_knee(k.data(), inertia.data(), static_cast<int64_t>(k.size()),
                                   KneeCurve::Convex, KneeDirection::Decreasing, sensitivity);
    if (knee >= 0) points[size_t(knee)].elbow = true;
    SweepPoint* best = nullptr;
    for (SweepPoint& p : points)
        if (!std::isnan(p.silhouette) && (best == nullptr || p.silhouette > best->silhouette))
            best = &p;
    if (best != nullptr) best->best_silhouette = true;
}

}  // namespace

// The three scores, NaN where scikit-learn would refuse the labels.
LabelScores score_labels(ConstRowMap X, const std::vector<int32_t>& labels, int64_t sample,
                         uint64_t seed, const Interrupt& interrupt) {
    LabelScores s{kNaN, kNaN, kNaN};
    const int32_t used = encode_labels(labels.data(), X.rows()).n_labels();
    if (used < 2 || used > X.rows() - 1) return s;
    s.davies_bouldin = davies_bouldin(X, labels.data(), interrupt);
    s.calinski_harabasz = calinski_harabasz(X, labels.data(), interrupt);
    try {
        s.silhouette = silhouette_score(X, labels.data(), interrupt, sample, seed);
    } catch (const Error& e) {
        // Only a sample can hold too few clusters (the full labels passed above).
        if (sample == 0 || e.kind() != ErrorKind::InvalidParameter) throw;
    }
    return s;
}

// null → 0, a positive integer → itself.
int64_t silhouette_sample_option(const Json& v, const char* fn) {
    const auto n = v.is_number() ? v.int64_value() : std::nullopt;
    if (v.is_null()) return 0;
    if (!n || *n < 1)
        throw Error(ErrorKind::InvalidParameter,
                    std::string(fn) + " option \"silhouette_sample\" must be a positive integer "
                                      "(rows), or null for an exact silhouette");
    return *n;
}

// The sweep's own keys, then everything else handed to parse_kmeans_options.
SweepOptions parse_sweep_options(std::string_view json) {
    const Json doc = json_parse_options(json, "kmeans_sweep");
    SweepOptions o;
    JsonWriter rest;
    rest.begin_object();
    for (size_t i = 0; i < doc.keys().size(); ++i) {
        const std::string& key = doc.keys()[i];
        const Json& v = doc.items()[i];
        if (key == "silhouette_sample") {
            o.silhouette_sample = silhouette_sample_option(v, "kmeans_sweep");
        } else if (key == "sample" && !v.is_null()) {
            // Every k is fitted on the same buffered rows; a per-fit reservoir would make the
            // points of the sweep incomparable.
            throw Error(ErrorKind::InvalidParameter,
                        "kmeans_sweep has no option \"sample\": every k is fitted on all rows",
                        {},
                        "Sweep over a sample of the table (TABLESAMPLE, or ORDER BY random() "
                        "LIMIT n in a subquery); \"silhouette_sample\" samples the silhouette.");
        } else if (key == "elbow_sensitivity") {
            if (!v.is_number() || !(v.number_value() >= 0.0)) bad_option(key, "a number >= 0");
            o.elbow_sensitivity = v.number_value();
        } else {
            rest.key(key);
            rest.value(v);
        }
    }
    rest.end_object();
    o.kmeans = parse_passed_kmeans_options(rest.str(), "kmeans_sweep",
                                           {"silhouette_sample", "elbow_sensitivity"});
    return o;
}

// Fits and scores every k, largest first (too few rows then fail before any other work).
SweepResult kmeans_sweep(ConstRowMap rows, int32_t k_min, int32_t k_max,
                         const SweepOptions& options, const Interrupt& interrupt) {
    if (k_min < 1 || k_max < k_min)
        throw Error(ErrorKind::InvalidParameter,
                    "kmeans_sweep needs 1 <= k_min <= k_max, got k_min = " + std::to_string(k_min) +
                        " and k_max = " + std::to_string(k_max));
    SweepResult out;
    if (k_max > rows.rows()) k_min = k_max;  // fails at its first fit: never allocate k_max points
    out.points.resize(static_cast<size_t>(k_max - k_min) + 1);
    RowMatrix work(rows.rows(), rows.cols());
    for (int32_t k = k_max; k >= k_min; --k) {
        interrupt.poll();
        work = rows;
        SweepPoint& p = out.points[size_t(k - k_min)];
        p.k = k;
        try {
            p.model = fit_kmeans_model(RowMap(work.data(), work.rows(), work.cols()), k,
                                       options.kmeans, interrupt);
        } catch (const Error& e) {  // name the function the user called
            throw Error(e.kind(), replace_first(e.what(), "kmeans_fit", "kmeans_sweep"), e.detail(),
                        e.hint());
        }
        p.inertia = p.model.inertia;
        // fit_kmeans_model left the usable rows, scaled, at the top of `work`.
        const ConstRowMap X(work.data(), p.model.n_rows, work.cols());
        const bool sampled = options.silhouette_sample > 0 && X.rows() > options.silhouette_sample;
        const int64_t sample = sampled ? options.silhouette_sample : 0;
        const LabelScores s = score_labels(X, nearest_labels(X, p.model, interrupt), sample,
                                           options.kmeans.seed, interrupt);
        p.silhouette = s.silhouette;
        p.davies_bouldin = s.davies_bouldin;
        p.calinski_harabasz = s.calinski_harabasz;
        out.n_rows = p.model.n_rows;
        out.n_skipped = p.model.n_skipped;
        out.silhouette_rows = sampled ? sample : X.rows();
    }
    mark_choices(out.points, options.elbow_sensitivity);
    return out;
}

}  // namespace cseg
