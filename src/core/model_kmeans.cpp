// The k-means kind of the model family (model_kind.hpp): fitted by kmeans_run_parallel
// (kmeans.hpp), a row belongs to its nearest centroid (Euclidean, scaled space). The simplest
// kind: copy this file to add one.
#include <algorithm>
#include <cmath>
#include <vector>

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
        if (has_empty_cluster(out.labels, k))
            m.inertia = relabel_by_nearest_centre(rows.X, out);
        return out;
    }

    // With fewer distinct rows than k some clusters end empty, and an empty cluster's centre
    // can sit exactly on rows whose own cluster's mean is an ulp away from them; seg_assign
    // (nearest centre, ties to the lowest) then labels those rows with the empty cluster, and
    // the model's sizes were not what labelling the training rows gives. So such a fit labels
    // its rows by that rule; returns the inertia of those labels.
    static double relabel_by_nearest_centre(ConstRowMap X, KindFit& fit) {
        const int32_t k = static_cast<int32_t>(fit.centers.rows());
        const int32_t d = static_cast<int32_t>(X.cols());
        double inertia = 0.0;
        for (int64_t i = 0; i < X.rows(); ++i) {
            double sq = 0.0;
            fit.labels[size_t(i)] = nearest_centroid(X.row(i).data(), fit.centers.data(), k, d, &sq);
            inertia += sq;
        }
        return inertia;
    }

    // True when some cluster of 0 .. k-1 has no row.
    static bool has_empty_cluster(const std::vector<int32_t>& labels, int32_t k) {
        std::vector<bool> seen(size_t(k), false);
        for (int32_t a : labels) seen[size_t(a)] = true;
        return std::find(seen.begin(), seen.end(), false) != seen.end();
    }

    // The centroids transposed (transpose_centers), then one distance per centroid for
    // kRowBlock rows (assign uses the first row's).
    size_t prepared_bytes(const ModelView& v) const override {
        const size_t stride = size_t(padded_centers(v.k));
        return sizeof(double) * stride * (size_t(v.dims) + kRowBlock);
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

    // Blocks of kRowBlock rows through squared_distances_block and nearest_in_block (the
    // same sums and the same first minimum as assign, so the same labels and distances);
    // the last rows, and a row needing the wide comparison, through assign itself.
    void assign_rows(const ModelView& v, void* prepared, const double* x, int64_t n,
                     int32_t* labels, double* distances) const override {
        const int32_t stride = padded_centers(v.k), d = v.dims;
        const double* ct = static_cast<const double*>(prepared);
        double* block = static_cast<double*>(prepared) + int64_t{stride} * d;
        int64_t i = 0;
        for (; i + kRowBlock <= n; i += kRowBlock) {
            const double* xb = x + i * d;
            squared_distances_block(xb, kRowBlock, ct, stride, d, block);
            int64_t idx[kRowBlock];
            double d1[kRowBlock], d2[kRowBlock];
            nearest_in_block<true>(block, v.k, idx, d1, d2);
            for (int32_t r = 0; r < kRowBlock; ++r) {
                const double* row = xb + int64_t{r} * d;
                if (needs_wide_comparison(row, d, d1[r], d2[r])) {
                    labels[i + r] = assign(v, prepared, ModelRow{row, nullptr}, &distances[i + r]);
                    continue;
                }
                labels[i + r] = static_cast<int32_t>(idx[r]);
                distances[i + r] = distance_from_squared(d1[r], row, v.centroids,
                                                         labels[i + r], d);
            }
        }
        for (; i < n; ++i)
            labels[i] = assign(v, prepared, ModelRow{x + i * d, nullptr}, &distances[i]);
    }
};

}  // namespace

// The k-means kind's singleton.
const ModelKind& kmeans_kind() {
    static const KMeansKind kind;
    return kind;
}

}  // namespace cseg
