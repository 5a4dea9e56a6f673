// The k-prototypes kind of the model family (model_kind.hpp; Huang 1997, 1998, see
// kprototypes.hpp): rows have numbers and categories; a row belongs to the prototype of least
// mixed cost (squared numeric distance + gamma * mismatching categories); its distance, and
// the dissimilarity silhouette uses, is the square root of that cost.
#include <cmath>
#include <vector>

#include "distance.hpp"
#include "feature_stats.hpp"
#include "kprototypes.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// Rows between two interrupt polls.
constexpr int64_t kPollRows = 4096;

class KPrototypesKind final : public ModelKind {
  public:
    ModelAlgorithm algorithm() const override { return ModelAlgorithm::KPrototypes; }
    const char* fit_function() const override { return "kprototypes_fit"; }
    bool categorical() const override { return true; }
    bool takes(ModelOperation op) const override {
        return op == ModelOperation::AssignMixed || op == ModelOperation::Modes;
    }

    // The categorical part is checked with the common part (model.cpp, check_categorical).
    void validate(const Model&, ErrorKind) const override {}

    // gamma (the option, or default_gamma), then the restarts of kprototypes_run.
    KindFit fit(const FitRows& rows, int32_t k, Model& m, const Interrupt& interrupt,
                int32_t) const override {
        m.categorical.gamma =
            m.options.has_gamma ? m.options.gamma : default_gamma(m.feature_std, m.scaler);
        if (!m.options.has_gamma && (!m.pipeline.transform.empty() || !m.pipeline.clip_lo.empty())) {
            // The spread of the numbers as the model sees them (after the pipeline's transform
            // and clipping; the profile statistics are in original units): the scaled rows' std.
            std::vector<double> mean, sd;
            column_mean_std(rows.X, mean, sd, interrupt);
            double sum = 0.0;
            for (double v : sd) sum += v;
            m.categorical.gamma = 0.5 * sum / static_cast<double>(sd.size());
        }
        KPrototypesRun run = kprototypes_run(rows.X, rows.codes, rows.n_categories, k,
                                             m.categorical.gamma, m.options, interrupt);
        m.inertia = run.inertia;
        m.categorical.cost = run.cost;
        m.n_iter = run.n_iter;
        KindFit out;
        out.centers = std::move(run.centers);
        out.labels = std::move(run.labels);
        out.modes = std::move(run.modes);
        return out;
    }

    // sqrt of the mixed cost to the fit's prototype.
    void fit_distances(const Model& m, const KindFit& fit, const FitRows& rows, int64_t lo,
                       int64_t hi, double* out) const override {
        const int32_t p = m.dims, q = m.categorical.dims;
        for (int64_t i = lo; i < hi; ++i) {
            const int32_t c = fit.labels[size_t(i)];
            if (c < 0) continue;
            out[i - lo] = std::sqrt(mixed_cost(rows.X.data() + i * p, rows.codes + i * q,
                                               fit.centers.data() + int64_t{c} * p,
                                               fit.modes.data() + int64_t{c} * q, p, q,
                                               m.categorical.gamma));
        }
    }

    // The modes in the final numbering, and per cluster the share of rows having each mode.
    void finish_fit(const FitRows& rows, const KindFit& fit, const std::vector<int32_t>& labels,
                    const std::vector<int32_t>& order, Model& m,
                    const Interrupt& interrupt) const override {
        const int32_t k = m.k, q = rows.cat_dims;
        CategoricalPart& c = m.categorical;
        c.modes.resize(size_t(k) * size_t(q));
        for (int32_t n = 0; n < k; ++n)
            std::copy_n(fit.modes.data() + int64_t{order[size_t(n)]} * q, q,
                        c.modes.data() + int64_t{n} * q);
        std::vector<int64_t> hits(size_t(k) * size_t(q), 0);
        for (int64_t i = 0; i < rows.X.rows(); ++i) {
            if ((i % kPollRows) == 0) interrupt.poll();
            const int32_t a = labels[size_t(i)];
            for (int32_t j = 0; j < q; ++j)
                hits[size_t(a) * q + j] += rows.codes[i * q + j] == c.modes[size_t(a) * q + j];
        }
        c.mode_share.assign(size_t(k) * size_t(q), 0.0);
        for (int32_t n = 0; n < k; ++n)
            for (int32_t j = 0; j < q; ++j)
                if (m.sizes[size_t(n)] > 0)
                    c.mode_share[size_t(n) * q + j] = static_cast<double>(hits[size_t(n) * q + j]) /
                                                      static_cast<double>(m.sizes[size_t(n)]);
    }

    // The prototype of least mixed cost (ties to the lowest number). A row far outside the
    // model (an overflowing cost, or a coordinate beyond 2^40) is compared again in extended
    // precision, mismatch costs included, and its distance computed without overflow.
    int32_t assign(const ModelView& v, void*, ModelRow row, double* distance) const override {
        double cost;
        int32_t c = nearest_prototype(row.x, row.codes, v.centroids, v.modes, v.k, v.dims,
                                      v.cat_dims, v.gamma, &cost);
        if (!needs_wide_comparison(row.x, v.dims, cost, cost)) {
            if (distance != nullptr) *distance = std::sqrt(cost);
            return c;
        }
        std::vector<double> mismatch(static_cast<size_t>(v.k), 0.0);
        for (int32_t p = 0; p < v.k; ++p)
            for (int32_t j = 0; j < v.cat_dims; ++j)
                if (row.codes[j] != v.modes[int64_t{p} * v.cat_dims + j])
                    mismatch[size_t(p)] += v.gamma;
        c = nearest_centroid_wide(row.x, v.centroids, v.k, v.dims, mismatch.data());
        if (distance != nullptr) {
            const double d = euclidean_distance(row.x, v.centroids + int64_t{c} * v.dims, v.dims);
            const double sq = d * d + mismatch[size_t(c)];
            *distance = std::isfinite(sq) ? std::sqrt(sq) : d;  // beyond 1e154 mismatches vanish
        }
        return c;
    }

    // Huang's dissimilarity of two rows: sqrt(squared numeric distance + gamma * mismatches).
    double row_distance(const ModelView& v, ModelRow a, ModelRow b) const override {
        return std::sqrt(mixed_cost(a.x, a.codes, b.x, b.codes, v.dims, v.cat_dims, v.gamma));
    }
};

}  // namespace

// The k-prototypes kind's singleton.
const ModelKind& kprototypes_kind() {
    static const KPrototypesKind kind;
    return kind;
}

}  // namespace cseg
