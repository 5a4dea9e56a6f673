// The Gaussian mixture kind of the model family (model_kind.hpp): fitted by EM (gmm.hpp), a
// row belongs to its most probable component; seg_proba gives P(component | row). Stored
// beyond the common part (centroids = the means): weights, covariances (flattened as
// scikit-learn's covariances_), covariance_type (0 full, 1 tied, 2 diag, 3 spherical, as the
// option), log_likelihood (mean per row, sklearn's score), bic, aic, converged (1/0).
#include <algorithm>
#include <climits>
#include <limits>
#include <cmath>
#include <cstring>
#include <string>

#include "distance.hpp"
#include "gmm.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// Indices of the kind arrays.
enum GmmArray : int32_t {
    kWeights = 0,
    kCovariances,
    kCovarianceType,
    kLogLikelihood,
    kBic,
    kAic,
    kConverged,
    kEmSettings,
    kEmTolerances,
};

// Rows per task of the fit's labelling pass.
constexpr int64_t kLabelRows = 8192;

// A one-value kind array.
KindArray scalar(double v) {
    KindArray a;
    a.rows = 1;
    a.values = {v};
    return a;
}

// Prepared scratch: precisions_chol, log_det, log weights, then k doubles of work space.
struct Prepared {
    double* prec;
    double* log_det;
    double* log_weights;
    double* work;
};

// The prepared scratch block of a model cut into its parts.
Prepared prepared_parts(const ModelView& v, void* prepared) {
    double* base = static_cast<double*>(prepared);
    const int64_t cov = v.kind_rows[kCovariances];
    return Prepared{base, base + cov, base + cov + v.k, base + cov + 2 * v.k};
}

// The view of a stored model's mixture (after prepare).
GmmView stored_view(const ModelView& v, const Prepared& p) {
    return GmmView{static_cast<CovarianceType>(v.kind_integers(kCovarianceType)[0]),
                   v.k,
                   v.dims,
                   v.kind_doubles(kWeights),
                   v.centroids,
                   p.prec,
                   p.log_det,
                   p.log_weights};
}

class GmmKind final : public ModelKind {
  public:
    ModelAlgorithm algorithm() const override { return ModelAlgorithm::Gmm; }
    const char* fit_function() const override { return "gmm_fit"; }
    bool takes(ModelOperation op) const override {
        return op == ModelOperation::AssignNumbers || op == ModelOperation::Proba;
    }

    std::vector<KindArraySpec> arrays() const override {
        return {{"weights", false, KindExtent::K, KindExtent::One},
                {"covariances", false, KindExtent::Free, KindExtent::One},
                {"covariance_type", true, KindExtent::One, KindExtent::One},
                {"log_likelihood", false, KindExtent::One, KindExtent::One},
                {"bic", false, KindExtent::One, KindExtent::One},
                {"aic", false, KindExtent::One, KindExtent::One},
                {"converged", true, KindExtent::One, KindExtent::One},
                // The options the binary form has no slot for, kept here as well:
                // [n_init, max_iter, init (0 kmeans, 1 random), init_candidates], [tol, reg_covar].
                {"em_settings", true, KindExtent::Free, KindExtent::One},
                {"em_tolerances", false, KindExtent::Free, KindExtent::One}};
    }

    // Weights positive and summing to 1, the covariances' count and positivity as their type
    // says, the type as the option, converged 0 or 1.
    void validate(const Model& m, ErrorKind kind) const override {
        const auto fail = [&](const std::string& what) {
            throw Error(kind, "invalid segmodel: " + what);
        };
        const int64_t type = m.kind_arrays[kCovarianceType].integers[0];
        if (type != int64_t(m.options.gmm_covariance))
            fail("covariance_type differs from option \"covariance\"");
        const auto t = static_cast<CovarianceType>(type);
        if (m.kind_arrays[kCovariances].rows != covariance_size(t, m.k, m.dims))
            fail("covariances has " + std::to_string(m.kind_arrays[kCovariances].rows) +
                 " values, expected " + std::to_string(covariance_size(t, m.k, m.dims)) +
                 " for covariance \"" + covariance_type_name(t) + "\"");
        double sum = 0.0;
        for (double w : m.kind_arrays[kWeights].values) {
            if (!(w > 0.0)) fail("weights must be > 0");
            sum += w;
        }
        if (std::abs(sum - 1.0) > 1e-9) fail("weights must sum to 1");
        const KindArray& es = m.kind_arrays[kEmSettings];
        const KindArray& et = m.kind_arrays[kEmTolerances];
        if (es.rows != 4 || et.rows != 2 || es.integers[0] != m.options.gmm_n_init ||
            es.integers[1] != m.options.gmm_max_iter ||
            es.integers[2] != int64_t(m.options.gmm_init) ||
            es.integers[3] != m.options.gmm_init_candidates || et.values[0] != m.options.gmm_tol ||
            et.values[1] != m.options.gmm_reg_covar)
            fail("em_settings and em_tolerances must repeat the options");
        const int64_t conv = m.kind_arrays[kConverged].integers[0];
        if (conv != 0 && conv != 1) fail("converged must be 0 or 1");
        // Every covariance block must be usable: the precisions must come out finite.
        GmmParams p = params_of(m);
        if (gmm_precisions(p, 0.0) != 0) fail("a covariance is not positive definite");
    }

    // EM on the scaled rows; the blocks of each pass on `threads` threads.
    KindFit fit(const FitRows& rows, int32_t k, Model& m, const Interrupt& interrupt,
                int32_t threads) const override {
        const GmmOptions g = gmm_options(m.options);
        GmmRun run = gmm_run(rows.X, k, g, interrupt, threads_runner(threads));
        const int64_t n = rows.X.rows();
        const int32_t d = static_cast<int32_t>(rows.X.cols());
        KindFit out;
        out.centers = Eigen::Map<const RowMatrix>(run.params.means.data(), k, d);
        m.n_iter = run.n_iter;
        m.inertia = 0.0;
        KindArray weights, cov;
        weights.rows = k;
        weights.values = run.params.weights;
        cov.rows = int64_t(run.params.covariances.size());
        cov.values = run.params.covariances;
        KindArray type, conv;
        type.rows = conv.rows = 1;
        type.integers = {int64_t(g.covariance)};
        conv.integers = {run.converged ? 1 : 0};
        m.kind_arrays = {weights,
                         cov,
                         type,
                         scalar(run.log_likelihood),
                         scalar(gmm_bic(run.log_likelihood, n, g.covariance, k, d)),
                         scalar(gmm_aic(run.log_likelihood, n, g.covariance, k, d)),
                         conv,
                         KindArray{4, {}, {g.n_init, g.max_iter, int64_t(g.init), g.init_candidates}},
                         KindArray{2, {g.tol, g.reg_covar}, {}}};
        // The labels seg_assign gives (the row-at-a-time arithmetic), so it reproduces sizes:
        // each row on its own, so tasks of kLabelRows rows on the threads; the inertia summed
        // in row order after.
        GmmParams p = run.params;
        gmm_precisions(p, 0.0);
        GmmView view = gmm_view(p);
        const std::vector<double> log_weights = gmm_log_weights(view);
        view.log_weights = log_weights.data();
        out.labels.resize(size_t(n));
        const RowBlocks tasks{n, kLabelRows};
        threads_runner(threads)(
            tasks.count(),
            [&](int32_t b, const Interrupt& intr) {
                intr.poll();
                const int64_t lo = tasks.begin(b), hi = tasks.end(b);
                gmm_predict_rows(view, rows.X.row(lo).data(), hi - lo, out.labels.data() + lo);
            },
            interrupt);
        for (int64_t i = 0; i < n; ++i)
            m.inertia += (rows.X.row(i) - out.centers.row(out.labels[size_t(i)])).squaredNorm();
        return out;
    }

    // Weights and covariances follow the renumbering.
    void finish_fit(const FitRows&, const KindFit&, const std::vector<int32_t>&,
                    const std::vector<int32_t>& order, Model& m,
                    const Interrupt&) const override {
        permute(m, order);
    }

    // Weights and covariances follow new_number[old] = new (seg_align).
    bool renumber(Model& m, const std::vector<int32_t>& new_number) const override {
        std::vector<int32_t> order(new_number.size());
        for (size_t c = 0; c < order.size(); ++c) order[size_t(new_number[c])] = int32_t(c);
        permute(m, order);
        return true;
    }

    // Reorders the weights and covariances so that cluster c takes the fit's order[c].
    static void permute(Model& m, const std::vector<int32_t>& order) {
        GmmParams p = params_of(m);
        gmm_precisions(p, 0.0);
        const GmmParams q = gmm_permuted(p, order);
        m.kind_arrays[kWeights].values = q.weights;
        m.kind_arrays[kCovariances].values = q.covariances;
    }

    // The EM options from their copies in the kind arrays (sizes checked before).
    void restore_options(Model& m) const override {
        const KindArray& es = m.kind_arrays[kEmSettings];
        const KindArray& et = m.kind_arrays[kEmTolerances];
        const KindArray& ct = m.kind_arrays[kCovarianceType];
        if (es.integers.size() != 4 || et.values.size() != 2 || ct.integers.size() != 1) return;
        const auto clamp32 = [](int64_t v) {
            return static_cast<int32_t>(std::max<int64_t>(INT32_MIN, std::min<int64_t>(INT32_MAX, v)));
        };
        m.options.gmm_n_init = clamp32(es.integers[0]);
        m.options.gmm_max_iter = clamp32(es.integers[1]);
        m.options.gmm_init = es.integers[2] == 1 ? GmmInit::Random : GmmInit::KMeans;
        m.options.gmm_init_candidates = clamp32(es.integers[3]);
        m.options.gmm_tol = et.values[0];
        m.options.gmm_reg_covar = et.values[1];
        if (ct.integers[0] >= 0 && ct.integers[0] <= 3)
            m.options.gmm_covariance = static_cast<CovarianceType>(ct.integers[0]);
    }

    size_t prepared_bytes(const ModelView& v) const override {
        return sizeof(double) * size_t(v.kind_rows[kCovariances] + 3 * int64_t(v.k));
    }

    // The precisions' Cholesky factors and log-determinants, from the stored covariances.
    void prepare(const ModelView& v, void* prepared) const override {
        GmmParams p;
        p.covariance = static_cast<CovarianceType>(v.kind_integers(kCovarianceType)[0]);
        p.k = v.k;
        p.dims = v.dims;
        const int64_t nc = v.kind_rows[kCovariances];
        p.covariances.assign(v.kind_doubles(kCovariances), v.kind_doubles(kCovariances) + nc);
        gmm_precisions(p, 0.0);
        const Prepared parts = prepared_parts(v, prepared);
        std::memcpy(parts.prec, p.precisions_chol.data(), sizeof(double) * size_t(nc));
        std::memcpy(parts.log_det, p.log_det.data(), sizeof(double) * size_t(v.k));
        for (int32_t c = 0; c < v.k; ++c)
            parts.log_weights[c] = std::log(v.kind_doubles(kWeights)[c]);
    }

    // The most probable component (gmm_predict_row: in long double for a row far outside every
    // component); the distance is Euclidean to its mean (scaled space), finite far out too.
    int32_t assign(const ModelView& v, void* prepared, ModelRow row,
                   double* distance) const override {
        const Prepared parts = prepared_parts(v, prepared);
        const int32_t c = gmm_predict_row(stored_view(v, parts), row.x, parts.work);
        if (distance != nullptr) {
            double s = 0.0;
            for (int32_t j = 0; j < v.dims; ++j) {
                const double t = row.x[j] - v.centroids[size_t(c) * v.dims + j];
                s += t * t;
            }
            // Far out the squares overflow: the distance again without overflow.
            *distance = s <= std::numeric_limits<double>::max()
                            ? std::sqrt(s)
                            : euclidean_distance(row.x, v.centroids + size_t(c) * v.dims, v.dims);
        }
        return c;
    }

    void proba(const ModelView& v, void* prepared, ModelRow row, double* out) const override {
        gmm_proba_row(stored_view(v, prepared_parts(v, prepared)), row.x, out);
    }

  private:
    // The mixture of a model (precisions not computed).
    static GmmParams params_of(const Model& m) {
        GmmParams p;
        p.covariance = static_cast<CovarianceType>(m.kind_arrays[kCovarianceType].integers[0]);
        p.k = m.k;
        p.dims = m.dims;
        p.weights = m.kind_arrays[kWeights].values;
        p.means = m.centroids;
        p.covariances = m.kind_arrays[kCovariances].values;
        return p;
    }
};

}  // namespace

// The Gaussian mixture kind's singleton.
const ModelKind& gmm_kind() {
    static const GmmKind kind;
    return kind;
}

}  // namespace cseg
