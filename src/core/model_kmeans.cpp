// The k-means kind of the model family (model_kind.hpp): fitted by kmeans_run_parallel
// (kmeans.hpp), a row belongs to its nearest centroid (Euclidean, scaled space). The simplest
// kind: copy this file to add one.
#include <cmath>

#include "distance.hpp"
#include "kmeans_parallel.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

class KMeansKind final : public ModelKind {
  public:
    ModelAlgorithm algorithm() const override { return ModelAlgorithm::KMeans; }
    const char* fit_function() const override { return "kmeans_fit"; }
    bool takes(ModelOperation op) const override { return op == ModelOperation::AssignNumbers; }

    // Nothing beyond the common part.
    void validate(const Model&, ErrorKind) const override {}

    // Lloyd (+ Hartigan) restarts on threads; the model does not depend on their number.
    KindFit fit(const FitRows& rows, int32_t k, Model& m, const Interrupt& interrupt,
                int32_t threads) const override {
        KMeansRun run = kmeans_run_parallel(rows.X, k, m.options, interrupt, threads);
        m.inertia = run.inertia;
        m.n_iter = run.n_iter;
        KindFit out;
        out.centers = std::move(run.centers);
        out.labels = std::move(run.labels);
        return out;
    }

    // The centroids transposed (transpose_centers), then one distance per centroid.
    size_t prepared_bytes(const ModelView& v) const override {
        const size_t stride = size_t(padded_centers(v.k));
        return sizeof(double) * stride * (size_t(v.dims) + 1);
    }

    // Transposes the centroids into the scratch; the distances follow them.
    void prepare(const ModelView& v, void* prepared) const override {
        transpose_centers(v.centroids, v.k, v.dims, static_cast<double*>(prepared));
    }

    // All centroids' squared distances in one vectorised pass, then the first minimum
    // (bit-identical to nearest_centroid, so training labels are reproduced). A row far
    // outside the model (overflowing or absorbed distances) is compared again in extended
    // precision, and its distance computed without overflow.
    int32_t assign(const ModelView& v, void* prepared, ModelRow row,
                   double* distance) const override {
        const int32_t stride = padded_centers(v.k);
        double* ct = static_cast<double*>(prepared);
        double* dist = ct + int64_t{stride} * v.dims;
        squared_distances_to_centers(row.x, ct, stride, v.dims, dist);
        double best, second;
        int32_t c = nearest_of(dist, v.k, &best, &second);
        if (needs_wide_comparison(row.x, v.dims, best, second)) {
            c = nearest_centroid_wide(row.x, v.centroids, v.k, v.dims);
            best = squared_distance(row.x, v.centroids + int64_t{c} * v.dims, v.dims);
        }
        if (distance != nullptr)
            *distance = distance_from_squared(best, row.x, v.centroids, c, v.dims);
        return c;
    }
};

}  // namespace

// The k-means kind's singleton.
const ModelKind& kmeans_kind() {
    static const KMeansKind kind;
    return kind;
}

}  // namespace cseg
