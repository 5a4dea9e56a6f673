// The fitted segmentation model and the k-means options it records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scaler.hpp"

namespace cseg {

enum class InitMethod : uint8_t { KMeansPlusPlus = 0, Random = 1 };
enum class MissingPolicy : uint8_t { Skip = 0, Error = 1, Impute = 2 };

const char* init_method_name(InitMethod m);    // "k-means++", "random"
const char* missing_policy_name(MissingPolicy m);  // "skip", "error", "impute"

// Every kmeans_fit option, defaults as in SPEC.md.
struct KMeansOptions {
    ScaleMethod scale = ScaleMethod::Standard;
    InitMethod init = InitMethod::KMeansPlusPlus;
    int32_t n_init = 10;
    int32_t max_iter = 300;
    double tol = 1e-4;
    uint64_t seed = 0;
    MissingPolicy missing = MissingPolicy::Skip;
    bool has_feature_names = false;  // false => JSON null
    std::vector<std::string> feature_names;
};

// A fitted k-means model. Centroids live in scaled space; the scaler maps original units
// to that space. All vectors are row-major with the sizes noted.
struct Model {
    static constexpr int32_t kFormatVersion = 1;

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
    KMeansOptions options;
    std::vector<double> impute;              // dims (original units) iff missing == Impute
    // Training statistics for profiles and drift:
    std::vector<double> feature_mean;        // dims, original units, over training rows
    std::vector<double> feature_std;         // dims, population std, original units
    std::vector<double> mean_distance;       // k, mean Euclidean distance to own centroid

    const double* centroid(int32_t c) const { return centroids.data() + size_t(c) * dims; }
};

// Throws Error(kind) naming the first inconsistency: k >= 1, dims >= 1, every vector of
// the right length, every number finite, sizes >= 0 and summing to n_rows, ...
void validate_model(const Model& m, ErrorKind kind);

}  // namespace cseg
