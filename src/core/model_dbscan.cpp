// The DBSCAN kind of the model family (model_kind.hpp): fitted by dbscan_run (dbscan.hpp); a
// row belongs to the cluster of its nearest core point within eps, else it is noise (-1).
// Stored beyond the common part (centroids = the clusters' means, sizes without the noise):
// eps, min_samples (the aggregate's arguments), core_points (scaled space), core_clusters,
// n_noise.
#include <cmath>
#include <limits>
#include <string>

#include "dbscan.hpp"
#include "distance.hpp"
#include "kdtree.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// Indices of the kind arrays.
enum DbscanArray : int32_t { kEps = 0, kMinSamples, kCorePoints, kCoreClusters, kNoise };

class DbscanKind final : public ModelKind {
  public:
    ModelAlgorithm algorithm() const override { return ModelAlgorithm::Dbscan; }
    const char* fit_function() const override { return "dbscan_fit"; }
    bool takes(ModelOperation op) const override { return op == ModelOperation::AssignNumbers; }

    std::vector<KindArraySpec> arrays() const override {
        return {{"eps", false, KindExtent::One, KindExtent::One},
                {"min_samples", true, KindExtent::One, KindExtent::One},
                {"core_points", false, KindExtent::Free, KindExtent::Dims},
                {"core_clusters", true, KindExtent::Free, KindExtent::One},
                {"n_noise", true, KindExtent::One, KindExtent::One}};
    }

    // One cluster per core point, in 0 .. k-1, every cluster with a core point; eps > 0.
    void validate(const Model& m, ErrorKind kind) const override {
        const auto fail = [&](const std::string& what) {
            throw Error(kind, "invalid segmodel: " + what);
        };
        if (!(m.kind_arrays[kEps].values[0] > 0.0)) fail("eps must be > 0");
        if (m.kind_arrays[kMinSamples].integers[0] < 1) fail("min_samples must be at least 1");
        const KindArray& cl = m.kind_arrays[kCoreClusters];
        if (cl.rows != m.kind_arrays[kCorePoints].rows)
            fail("core_clusters must have one value per core point");
        std::vector<bool> seen(size_t(m.k), false);
        for (int64_t c : cl.integers) {
            if (c < 0 || c >= m.k) fail("core_clusters must be between 0 and k - 1");
            seen[size_t(c)] = true;
        }
        for (bool s : seen)
            if (!s) fail("every cluster needs a core point");
    }

    int64_t unclustered_rows(const Model& m) const override {
        return m.kind_arrays[kNoise].integers[0];
    }

    // Exact DBSCAN; k becomes the number of clusters found (the k argument is ignored).
    KindFit fit(const FitRows& rows, int32_t, Model& m, const Interrupt& interrupt,
                int32_t threads) const override {
        const DbscanRun run = dbscan_run(rows.X, m.options.dbscan_eps,
                                         m.options.dbscan_min_samples, interrupt,
                                         threads_runner(threads));
        if (run.n_clusters == 0)
            throw Error(ErrorKind::DataException,
                        "dbscan_fit found no cluster: every row is noise",
                        "No row has min_samples = " +
                            std::to_string(m.options.dbscan_min_samples) +
                            " rows (itself included) within eps in the scaled space.",
                        "Use a larger eps or a smaller min_samples.");
        const int64_t n = rows.X.rows();
        const int32_t d = static_cast<int32_t>(rows.X.cols());
        const int32_t k = run.n_clusters;
        m.k = k;
        KindFit out;
        out.centers = RowMatrix::Zero(k, d);
        std::vector<int64_t> count(size_t(k), 0);
        KindArray eps, min_samples, points, clusters, noise;
        eps.rows = min_samples.rows = 1;
        eps.values = {m.options.dbscan_eps};
        min_samples.integers = {m.options.dbscan_min_samples};
        int64_t n_noise = 0;
        for (int64_t i = 0; i < n; ++i) {
            const int32_t c = run.labels[size_t(i)];
            if (c < 0) {
                ++n_noise;
                continue;
            }
            out.centers.row(c) += rows.X.row(i);
            ++count[size_t(c)];
            if (run.is_core[size_t(i)]) {
                points.values.insert(points.values.end(), rows.X.row(i).data(),
                                     rows.X.row(i).data() + d);
                clusters.integers.push_back(c);
            }
        }
        for (int32_t c = 0; c < k; ++c) out.centers.row(c) /= static_cast<double>(count[size_t(c)]);
        double inertia = 0.0;
        for (int64_t i = 0; i < n; ++i)
            if (run.labels[size_t(i)] >= 0)
                inertia += (rows.X.row(i) - out.centers.row(run.labels[size_t(i)])).squaredNorm();
        m.inertia = inertia;
        m.n_iter = 0;
        points.rows = clusters.rows = static_cast<int64_t>(clusters.integers.size());
        noise.rows = 1;
        noise.integers = {n_noise};
        m.kind_arrays = {eps, min_samples, points, clusters, noise};
        /* The arguments live in the kind arrays; the options keep their defaults. */
        m.options.dbscan_eps = 0.0;
        m.options.dbscan_min_samples = 0;
        out.labels = run.labels;
        return out;
    }

    // The core points' clusters in the final numbering.
    void finish_fit(const FitRows&, const KindFit&, const std::vector<int32_t>&,
                    const std::vector<int32_t>& order, Model& m,
                    const Interrupt&) const override {
        std::vector<int32_t> new_number(order.size());
        for (size_t c = 0; c < order.size(); ++c) new_number[size_t(order[c])] = int32_t(c);
        renumber(m, new_number);
    }

    // The core points' clusters follow new_number[old] = new (seg_align; finish_fit).
    bool renumber(Model& m, const std::vector<int32_t>& new_number) const override {
        for (int64_t& c : m.kind_arrays[kCoreClusters].integers) c = new_number[size_t(c)];
        return true;
    }

    size_t prepared_bytes(const ModelView& v) const override {
        return kdtree_bytes(v.kind_rows[kCorePoints], v.dims);
    }

    // The exact k-d tree over the core points (kdtree.hpp), built once per decoded model.
    void prepare(const ModelView& v, void* prepared) const override {
        kdtree_build(v.kind_doubles(kCorePoints), v.kind_rows[kCorePoints], v.dims, prepared);
    }

    // The cluster of the nearest core point (ties: the first stored) when it lies within eps,
    // else noise (-1); the distance is Euclidean to that nearest core point in either case.
    // The tree's squared distances are the core's feature-order sums (distance.hpp), the
    // sums the fit's nanoflann search compared with eps, so a training row gets the cluster
    // the fit gave it.
    // A row whose squared distances overflow (far outside the model) finds its nearest core
    // point in extended precision (nearest_centroid_wide) and its distance without overflow.
    int32_t assign(const ModelView& v, void* prepared, ModelRow row,
                   double* distance) const override {
        double best = std::numeric_limits<double>::infinity();
        int64_t nearest = KdTreeView(prepared).nearest(row.x, &best);
        const double eps = v.kind_doubles(kEps)[0];
        double d = std::sqrt(best);
        bool within = best <= eps * eps;
        if (!(best <= std::numeric_limits<double>::max())) {
            const double* core = v.kind_doubles(kCorePoints);
            nearest = nearest_centroid_wide(row.x, core, int32_t(v.kind_rows[kCorePoints]), v.dims);
            d = euclidean_distance(row.x, core + nearest * v.dims, v.dims);
            within = d <= eps;
        }
        if (distance != nullptr) *distance = d;
        return within ? static_cast<int32_t>(v.kind_integers(kCoreClusters)[nearest]) : -1;
    }
};

}  // namespace

// The DBSCAN kind's singleton.
const ModelKind& dbscan_kind() {
    static const DbscanKind kind;
    return kind;
}

}  // namespace cseg
