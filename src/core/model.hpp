// The fitted segmentation model (k-means, or k-prototypes with a categorical part) and the
// options it records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hclust_linkage.hpp"
#include "feature_pipeline.hpp"
#include "pca.hpp"
#include "scaler.hpp"

namespace cseg {

enum class InitMethod : uint8_t { KMeansPlusPlus = 0, Random = 1 };
enum class MissingPolicy : uint8_t { Skip = 0, Error = 1, Impute = 2 };
// What follows Lloyd in each k-means restart: Hartigan's single-point moves (then Lloyd again)
// until no move lowers the inertia, or nothing (plain Lloyd, as scikit-learn).
enum class RefineMethod : uint8_t { Hartigan = 0, None = 1 };
// Which kind of model (model_kind.hpp): the binary header's algorithm byte, JSON "algorithm".
// Codes and names are reserved for the whole family; a code is accepted once its kind is
// registered in model_kind.cpp.
enum class ModelAlgorithm : uint8_t {
    KMeans = 0,
    KPrototypes = 1,
    Hierarchical = 2,
    Gmm = 3,
    Dbscan = 4,
};
constexpr uint8_t kModelAlgorithmLast = 4;

// gmm_fit: the shape of the components' covariances (scikit-learn's covariance_type) and how
// a restart starts (src/core/gmm.hpp).
enum class CovarianceType : uint8_t { Full = 0, Tied = 1, Diag = 2, Spherical = 3 };
enum class GmmInit : uint8_t { KMeans = 0, Random = 1 };

const char* covariance_type_name(CovarianceType t);  // "full", "tied", "diag", "spherical"
const char* gmm_init_name(GmmInit i);                // "kmeans", "random"

const char* init_method_name(InitMethod m);    // "k-means++", "random"
const char* missing_policy_name(MissingPolicy m);  // "skip", "error", "impute"
const char* refine_method_name(RefineMethod m);    // "hartigan", "none"
// "kmeans", "kprototypes", "hierarchical", "gmm", "dbscan".
const char* model_algorithm_name(ModelAlgorithm a);

// Every kmeans_fit option, defaults as in SPEC.md.
struct KMeansOptions {
    ScaleMethod scale = ScaleMethod::Standard;
    InitMethod init = InitMethod::KMeansPlusPlus;
    int32_t n_init = 10;
    int32_t max_iter = 300;
    double tol = 1e-4;
    uint64_t seed = 0;
    MissingPolicy missing = MissingPolicy::Skip;
    RefineMethod refine = RefineMethod::Hartigan;  // kmeans_fit only
    bool has_feature_names = false;  // false => JSON null
    std::vector<std::string> feature_names;
    // kmeans_fit only: fit on a seeded reservoir sample of at most this many rows (Vitter's
    // Algorithm R, src/core/reservoir.hpp); 0 => JSON null: every row.
    int64_t sample = 0;
    // kprototypes_fit only (tol is kmeans_fit only; a model keeps the other algorithm's
    // options at their defaults):
    bool has_gamma = false;  // false => JSON null: half the mean std of the scaled numerics
    double gamma = 0.0;      // weight of one categorical mismatch when has_gamma
    bool has_categorical_names = false;  // false => JSON null
    std::vector<std::string> categorical_names;
    // hclust_fit only: the linkage, and the rows up to which the tree is built over the rows
    // themselves (above: over that many micro-clusters); 0 => JSON null: the linkage's
    // default (hclust_default_max_leaves). A fitted model keeps the value it used.
    Linkage linkage = Linkage::Ward;
    int64_t max_leaves = 0;
    // gmm_fit only (JSON keys "covariance", "init", "n_init", "max_iter", "tol", "reg_covar",
    // "init_candidates"; defaults as scikit-learn's GaussianMixture, src/core/gmm.hpp):
    CovarianceType gmm_covariance = CovarianceType::Full;
    GmmInit gmm_init = GmmInit::KMeans;
    int32_t gmm_n_init = 1;
    int32_t gmm_max_iter = 100;
    double gmm_tol = 1e-3;
    double gmm_reg_covar = 1e-6;
    int32_t gmm_init_candidates = 10;
    // dbscan_fit's eps and min_samples arguments on their way to the kind's fit (no JSON
    // option: the model keeps them as its "eps" and "min_samples"; 0 elsewhere).
    double dbscan_eps = 0.0;
    int32_t dbscan_min_samples = 0;
    // The feature pipeline (feature_pipeline.hpp), every fit aggregate:
    std::vector<FeatureTransform> transform;  // one per feature, or empty => JSON null
    bool has_clip = false;                    // false => JSON null
    double clip_lo = 0.0, clip_hi = 1.0;      // quantiles, 0 <= clip_lo < clip_hi <= 1
    ImputeMethod impute = ImputeMethod::Mean;  // what "missing": "impute" fills in
};

// The categorical half of a k-prototypes model (Huang 1997, 1998): per attribute the
// categories seen in training, sorted bytewise and unique (a category's code is its index),
// and per cluster the mode of each attribute with the share of the cluster's rows that have it.
struct CategoricalPart {
    int32_t dims = 0;                                  // q attributes; 0 for k-means
    std::vector<std::string> names;                    // empty or q
    std::vector<std::vector<std::string>> categories;  // q vocabularies
    std::vector<int32_t> modes;                        // k * q codes, row-major
    std::vector<double> mode_share;                    // k * q, in [0, 1]
    std::vector<int32_t> impute;                       // q codes iff missing = impute
    double gamma = 0.0;                                // weight of one mismatch
    double cost = 0.0;                                 // inertia + gamma * mismatches
};

// One array of a kind's own part (model_kind.hpp, KindArraySpec gives its name, type and
// shape): the kinds after k-prototypes keep what they add this way and the codecs write it.
struct KindArray {
    int64_t rows = 0;               // rows of the spec's column count
    std::vector<double> values;     // rows * cols doubles (spec: not integer)
    std::vector<int64_t> integers;  // rows * cols int64 (spec: integer)
};

// A fitted model. Centroids live in scaled space; the scaler maps original units to that
// space. All vectors are row-major with the sizes noted. A k-prototypes model has the same
// numeric part (its inertia and mean_distance are explained below) plus `categorical`.
struct Model {
    static constexpr int32_t kFormatVersion = 1;

    ModelAlgorithm algorithm = ModelAlgorithm::KMeans;
    int32_t k = 0;
    int32_t dims = 0;
    std::vector<std::string> feature_names;  // empty or dims entries
    Scaler scaler;                           // dims
    std::vector<double> centroids;           // k * dims, scaled space
    std::vector<int64_t> sizes;              // k training rows per cluster
    double inertia = 0.0;                    // sum of squared scaled distances
    int32_t n_iter = 0;                      // Lloyd iterations of the winning restart
    int64_t n_rows = 0;                      // rows used for training
    int64_t n_skipped = 0;                   // rows left out (missing values)
    int64_t n_seen = 0;                      // options.sample > 0: rows the aggregate saw (>=
                                             // n_rows + n_skipped); 0 otherwise (rows_seen())
    KMeansOptions options;
    std::vector<double> impute;              // dims iff missing == Impute (transformed units:
                                             // original units for a feature without transform)
    // The fitted pipeline: transform (iff options.transform has a transform other than
    // "none", then equal to it) with lambdas, clip bounds (iff options.has_clip), and the
    // training deciles seg_drift compares with (empty in models made before they existed).
    FeaturePipeline pipeline;
    // Training statistics for profiles and drift:
    std::vector<double> feature_mean;        // dims, original units, over training rows
    std::vector<double> feature_std;         // dims, population std, original units
    std::vector<double> mean_distance;       // k, mean Euclidean distance to own centroid
    // k-prototypes: inertia is the numeric part of the cost only, mean_distance the mean of
    // sqrt(squared numeric distance + gamma * mismatches) to the own prototype.
    CategoricalPart categorical;
    // The 2-D principal components of the scaled training rows (pca.hpp), fitted by the shared
    // fit pipeline for every kind: seg_project and the segment map. Empty vectors for a model
    // read from a text or binary form made without one (JSON "projection" absent).
    Projection projection;
    // What the kind adds (one entry per ModelKind::arrays() spec, in order; empty for k-means
    // and k-prototypes).
    std::vector<KindArray> kind_arrays;

    const double* centroid(int32_t c) const { return centroids.data() + size_t(c) * dims; }
};

// Throws Error(kind) naming the first inconsistency: k >= 1, dims >= 1, every vector of
// the right length, every number finite, sizes >= 0 and summing to n_rows, the options of
// the model's algorithm valid and the other algorithm's at their defaults, and for
// k-prototypes a consistent categorical part (sorted vocabularies, codes in range, ...).
void validate_model(const Model& m, ErrorKind kind);

// How the fit pipelines fit the feature pipeline for these options.
PipelineSpec pipeline_spec(const KMeansOptions& o);

// Rows the fitting aggregate saw (JSON "n_seen"): n_seen when the model was fitted on a
// sample, else n_rows + n_skipped.
int64_t rows_seen(const Model& m);

}  // namespace cseg
