// Population stability index and mean-distance comparison for seg_drift.
#include "drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "errors.hpp"
#include "feature_pipeline.hpp"
#include "json.hpp"

namespace cseg {

// Sum of (a - e) ln(a / e) with both shares floored at epsilon.
double population_stability_index(const double* expected, const double* actual, int32_t k,
                                  double epsilon) {
    double psi = 0.0;
    for (int32_t c = 0; c < k; ++c) {
        const double e = std::max(expected[c], epsilon);
        const double a = std::max(actual[c], epsilon);
        psi += (a - e) * std::log(a / e);
    }
    return psi;
}

// The customary reading of a PSI value.
const char* drift_verdict(double psi) {
    if (psi < kPsiModerate) return "stable";
    if (psi < kPsiMajor) return "moderate shift";
    return "major shift";
}

// Relative change of the mean distance, read like a PSI.
const char* distance_verdict(double change) {
    const double a = std::fabs(change);
    if (a < kDistanceModerate) return "stable";
    if (a < kDistanceMajor) return "moderate shift";
    return "major shift";
}

// Lower bound among the cuts: the first cut at or above x.
int32_t decile_bin(const double* cuts, double x) {
    return int32_t(std::lower_bound(cuts, cuts + kDecileCuts, x) - cuts);
}

namespace {

// 0 stable, 1 moderate, 2 major (nullptr: -1).
int severity(const char* verdict) {
    if (verdict == nullptr) return -1;
    if (std::strcmp(verdict, "stable") == 0) return 0;
    if (std::strcmp(verdict, "moderate shift") == 0) return 1;
    return 2;
}

// The worse of two verdicts.
const char* worse(const char* a, const char* b) { return severity(b) > severity(a) ? b : a; }

// Per-feature PSI against the training decile shares, and the means.
std::vector<FeatureDrift> feature_drift(const FeatureDriftInput& in) {
    std::vector<FeatureDrift> out(size_t(in.dims));
    for (int32_t j = 0; j < in.dims; ++j) {
        FeatureDrift& f = out[size_t(j)];
        if (size_t(j) < in.names.size()) f.name = in.names[size_t(j)];
        f.mean_training = in.mean_training[j];
        const int64_t* bins = in.bins_now + size_t(j) * kDecileBins;
        for (int32_t b = 0; b < kDecileBins; ++b) f.rows_now += bins[b];
        f.has_now = f.rows_now > 0;
        if (!f.has_now) continue;
        double actual[kDecileBins];
        for (int32_t b = 0; b < kDecileBins; ++b) actual[b] = double(bins[b]) / double(f.rows_now);
        f.psi = population_stability_index(in.decile_shares + size_t(j) * kDecileBins, actual,
                                           kDecileBins);
        const int64_t filled = in.filled_now != nullptr ? in.filled_now[j] : 0;
        f.mean_now = in.sum_now[j] / double(f.rows_now + filled);
        f.verdict = drift_verdict(f.psi);
    }
    return out;
}

}  // namespace

// Shares now and at training, per-segment PSI terms and mean distances.
DriftReport drift_report(const DriftInput& in) {
    if (in.k < 1) throw Error(ErrorKind::InvalidParameter, "seg_drift: k must be at least 1");
    const size_t k = size_t(in.k);
    DriftReport r;
    r.unlabelled = in.unlabelled;
    r.segments.resize(k);
    double distance_now = 0.0, distance_training = 0.0;
    for (size_t c = 0; c < k; ++c) {
        if (in.rows_now[c] < 0 || in.sizes_training[c] < 0)
            throw Error(ErrorKind::InvalidParameter, "seg_drift: negative row count");
        SegmentDrift& s = r.segments[c];
        s.rows_now = in.rows_now[c];
        s.rows_training = in.sizes_training[c];
        s.mean_distance_training = in.mean_distance_training[c];
        s.has_mean_distance_now = s.rows_now > 0;
        if (s.has_mean_distance_now)
            s.mean_distance_now = in.distance_sum_now[c] / static_cast<double>(s.rows_now);
        r.rows_now += s.rows_now;
        r.rows_training += s.rows_training;
        distance_now += in.distance_sum_now[c];
        distance_training += s.mean_distance_training * static_cast<double>(s.rows_training);
    }
    if (!std::isfinite(distance_now) || !std::isfinite(distance_training))
        throw Error(ErrorKind::DataException,
                    "seg_drift: the distances of the rows to their centroids add up beyond the "
                    "double precision range",
                    {}, "The features hold values near 1e308; rescale them.");
    if (r.rows_now > 0) {
        r.has_mean_distance_now = true;
        r.mean_distance_now = distance_now / static_cast<double>(r.rows_now);
    }
    if (r.rows_training > 0)
        r.mean_distance_training = distance_training / static_cast<double>(r.rows_training);
    std::vector<double> expected(k, 0.0), actual(k, 0.0);
    for (size_t c = 0; c < k; ++c) {
        SegmentDrift& s = r.segments[c];
        if (r.rows_now > 0) s.share_now = double(s.rows_now) / double(r.rows_now);
        if (r.rows_training > 0)
            s.share_training = double(s.rows_training) / double(r.rows_training);
        expected[c] = s.share_training;
        actual[c] = s.share_now;
        s.psi = population_stability_index(&expected[c], &actual[c], 1);
    }
    r.has_psi = r.rows_now > 0 && r.rows_training > 0;
    if (r.has_psi) {
        r.psi = population_stability_index(expected.data(), actual.data(), in.k);
        r.segment_verdict = drift_verdict(r.psi);
        r.verdict = r.segment_verdict;
    }
    if (r.has_mean_distance_now && r.mean_distance_training > 0.0) {
        r.has_distance_change = true;
        r.distance_change = r.mean_distance_now / r.mean_distance_training - 1.0;
        r.distance_verdict = distance_verdict(r.distance_change);
        r.verdict = worse(r.verdict, r.distance_verdict);
    }
    if (in.features != nullptr) {
        r.has_features = true;
        r.features = feature_drift(*in.features);
        for (const FeatureDrift& f : r.features) r.verdict = worse(r.verdict, f.verdict);
    }
    return r;
}

// A string, or null for nullptr.
static void string_or_null(JsonWriter& w, const char* s) {
    if (s != nullptr)
        w.string(s);
    else
        w.null();
}

// A number, or null when `has` is false (undefined for this report).
static void number_or_null(JsonWriter& w, bool has, double v) {
    if (has)
        w.number(v);
    else
        w.null();
}

// Compact JSON of the report (see the header for the keys).
std::string drift_to_json(const DriftReport& r) {
    JsonWriter w;
    w.begin_object();
    w.key("rows");
    w.integer(r.rows_now);
    w.key("unlabelled");
    w.integer(r.unlabelled);
    w.key("training_rows");
    w.integer(r.rows_training);
    w.key("psi");
    number_or_null(w, r.has_psi, r.psi);
    w.key("verdict");
    string_or_null(w, r.verdict);
    w.key("segment_verdict");
    string_or_null(w, r.segment_verdict);
    w.key("mean_distance_now");
    number_or_null(w, r.has_mean_distance_now, r.mean_distance_now);
    w.key("mean_distance_training");
    w.number(r.mean_distance_training);
    w.key("distance_change");
    number_or_null(w, r.has_distance_change, r.distance_change);
    w.key("distance_verdict");
    string_or_null(w, r.distance_verdict);
    w.key("psi_epsilon");
    w.number(kPsiEpsilon);
    w.key("segments");
    w.begin_array();
    for (size_t c = 0; c < r.segments.size(); ++c) {
        const SegmentDrift& s = r.segments[c];
        w.begin_object();
        w.key("segment");
        w.integer(int64_t(c));
        w.key("rows_now");
        w.integer(s.rows_now);
        w.key("share_now");
        w.number(s.share_now);
        w.key("rows_training");
        w.integer(s.rows_training);
        w.key("share_training");
        w.number(s.share_training);
        w.key("psi");
        number_or_null(w, r.has_psi, s.psi);
        w.key("mean_distance_now");
        number_or_null(w, s.has_mean_distance_now, s.mean_distance_now);
        w.key("mean_distance_training");
        w.number(s.mean_distance_training);
        w.end_object();
    }
    w.end_array();
    w.key("features");
    if (!r.has_features) {
        w.null();
    } else {
        w.begin_array();
        for (const FeatureDrift& f : r.features) {
            w.begin_object();
            w.key("feature");
            string_or_null(w, f.name.empty() ? nullptr : f.name.c_str());
            w.key("rows_now");
            w.integer(f.rows_now);
            w.key("psi");
            if (f.has_now) w.number(f.psi); else w.null();
            w.key("mean_training");
            w.number(f.mean_training);
            w.key("mean_now");
            if (f.has_now) w.number(f.mean_now); else w.null();
            w.key("verdict");
            string_or_null(w, f.verdict);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    return w.take();
}

}  // namespace cseg
