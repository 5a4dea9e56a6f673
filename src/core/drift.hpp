// seg_drift: how the customers labelled today compare with the model's training data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cseg {

// A share of 0 (an empty segment, now or at training) is replaced by this in the PSI terms,
// so an emptied or a new segment adds a large but finite amount instead of infinity.
constexpr double kPsiEpsilon = 1e-4;
// The customary PSI thresholds: below 0.1 stable, from 0.1 to below 0.25 a moderate shift,
// 0.25 and above a major shift.
constexpr double kPsiModerate = 0.1;
constexpr double kPsiMajor = 0.25;
// The mean distance to the centroids (scaled space) now against at training: a relative
// change of 10 % or more is a moderate shift, 25 % or more a major one (either direction).
constexpr double kDistanceModerate = 0.10;
constexpr double kDistanceMajor = 0.25;

// Per-feature counts of the rows now (all arrays of dims, bins dims * 10), against the
// model's training deciles (feature_pipeline.hpp: kDecileCuts cuts, kDecileBins shares).
struct FeatureDriftInput {
    int32_t dims = 0;
    const double* decile_shares = nullptr;  // dims * 10, training
    const double* mean_training = nullptr;  // dims, the model's feature_mean
    const int64_t* bins_now = nullptr;      // dims * 10 finite values now per decile bin
    const double* sum_now = nullptr;        // dims sums of the values now (original units):
                                            // the finite ones plus, for a model that imputes,
                                            // each missing one's fill mapped back, as in the
                                            // training mean
    const int64_t* filled_now = nullptr;    // dims missing values imputed now, or nullptr
    std::vector<std::string> names;         // dims names, or empty
};

// One feature's comparison: PSI over the 10 training decile bins (shares floored at
// kPsiEpsilon), the means, and the PSI verdict. Without finite values now there is no PSI,
// mean or verdict. The mean now counts the imputed values as the training mean does.
struct FeatureDrift {
    std::string name;  // empty => JSON null
    int64_t rows_now = 0;
    bool has_now = false;
    double psi = 0.0;
    double mean_training = 0.0;
    double mean_now = 0.0;
    const char* verdict = nullptr;
};

// The bin of value x among the 9 ascending training decile cuts: bin b holds
// (cut[b-1], cut[b]], as the training shares were counted.
int32_t decile_bin(const double* cuts, double x);

// What seg_drift counted, plus the model's training statistics (all arrays of k values).
struct DriftInput {
    int32_t k = 0;
    const int64_t* rows_now = nullptr;               // rows labelled per segment now
    const double* distance_sum_now = nullptr;        // sum of Euclidean distances (scaled space)
    int64_t unlabelled = 0;                          // rows with missing features, not imputed
    const int64_t* sizes_training = nullptr;         // the model's sizes
    const double* mean_distance_training = nullptr;  // the model's mean_distance
    const FeatureDriftInput* features = nullptr;     // nullptr: a model without deciles
};

// One segment's comparison.
struct SegmentDrift {
    int64_t rows_now = 0;
    double share_now = 0.0;
    int64_t rows_training = 0;
    double share_training = 0.0;
    double psi = 0.0;                    // this segment's PSI term
    bool has_mean_distance_now = false;  // false when no row is in the segment now
    double mean_distance_now = 0.0;
    double mean_distance_training = 0.0;
};

// The whole comparison; psi and the verdicts exist only when both sides have rows.
struct DriftReport {
    int64_t rows_now = 0;
    int64_t unlabelled = 0;
    int64_t rows_training = 0;
    bool has_psi = false;
    double psi = 0.0;
    const char* segment_verdict = nullptr;   // of psi; nullptr without psi
    bool has_distance_change = false;
    double distance_change = 0.0;            // mean_distance_now / training - 1
    const char* distance_verdict = nullptr;  // of |distance_change|
    // The worst of segment_verdict, distance_verdict and every feature's verdict.
    const char* verdict = nullptr;
    bool has_features = false;
    std::vector<FeatureDrift> features;
    bool has_mean_distance_now = false;
    double mean_distance_now = 0.0;       // over all labelled rows now
    double mean_distance_training = 0.0;  // sizes-weighted mean of the model's mean_distance
    std::vector<SegmentDrift> segments;
};

// Population stability index of two share vectors: sum over segments of
// (actual - expected) * ln(actual / expected), each share first raised to at least epsilon.
double population_stability_index(const double* expected, const double* actual, int32_t k,
                                  double epsilon = kPsiEpsilon);

// "stable" (psi < 0.1), "moderate shift" (psi < 0.25) or "major shift".
const char* drift_verdict(double psi);

// The same words for a relative change of the mean distance (|change| < 0.1, < 0.25, else).
const char* distance_verdict(double change);

// Computes shares, PSI terms, mean distances and the verdict. Throws
// Error(InvalidParameter) for k < 1 or negative counts.
DriftReport drift_report(const DriftInput& in);

// The report as a compact JSON object: rows, unlabelled, training_rows, psi, verdict
// (overall), segment_verdict, mean_distance_now, mean_distance_training, distance_change,
// distance_verdict, psi_epsilon, segments: [{segment, rows_now, share_now, rows_training,
// share_training, psi, mean_distance_now, mean_distance_training}], features: [{feature,
// rows_now, psi, mean_training, mean_now, verdict}] (null for a model without deciles).
// Values that do not exist (see DriftReport) are null.
std::string drift_to_json(const DriftReport& r);

}  // namespace cseg
