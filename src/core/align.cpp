// seg_align: cluster matching by the Hungarian algorithm on centroid distances.
#include "align.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "distance.hpp"
#include "errors.hpp"
#include "hungarian.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// Names as one readable list: ["a", "b"].
std::string name_list(const std::vector<std::string>& names) {
    std::string out = "[";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", \"" : "\"") + names[i] + "\"";
    return out + "]";
}

// Throws when both models name their features and the names differ (models that do not name
// them cannot be compared by name and are taken as they are).
void check_same_names(const std::vector<std::string>& a, const std::vector<std::string>& b,
                      const char* what) {
    if (a.empty() || b.empty() || a == b) return;
    throw Error(ErrorKind::InvalidParameter,
                std::string("seg_align: the model's ") + what + " names " + name_list(a) +
                    " differ from the reference's " + name_list(b),
                {}, "Both models must be trained on the same features, in the same order.");
}

// Throws unless the two models describe the same numeric and categorical features.
void check_same_dims(const Model& model, const Model& reference) {
    if (model.algorithm != reference.algorithm)
        throw Error(ErrorKind::InvalidParameter,
                    std::string("seg_align: the model is a ") +
                        model_algorithm_name(model.algorithm) + " model but the reference a " +
                        model_algorithm_name(reference.algorithm) + " model",
                    "Segment numbers are aligned between models of the same kind.");
    if (model.dims != reference.dims)
        throw Error(ErrorKind::InvalidParameter,
                    "seg_align: the model has " + std::to_string(model.dims) +
                        " features but the reference has " + std::to_string(reference.dims),
                    "Both models must be trained on the same features, in the same order.");
    if (model.categorical.dims != reference.categorical.dims)
        throw Error(ErrorKind::InvalidParameter,
                    "seg_align: the model has " + std::to_string(model.categorical.dims) +
                        " categorical attributes but the reference has " +
                        std::to_string(reference.categorical.dims),
                    "Both models must be trained on the same features, in the same order.");
    check_same_names(model.feature_names, reference.feature_names, "feature");
    check_same_names(model.categorical.names, reference.categorical.names,
                     "categorical attribute");
}

// The category text of cluster c's mode of attribute j.
const std::string& mode_text(const Model& m, int32_t c, int32_t j) {
    const CategoricalPart& p = m.categorical;
    return p.categories[size_t(j)][size_t(p.modes[size_t(c) * size_t(p.dims) + size_t(j)])];
}

}  // namespace

// Squared distances between every model centroid and every reference centroid, in the
// reference's scaled space.
std::vector<double> alignment_costs(const Model& model, const Model& reference) {
    check_same_dims(model, reference);
    const int32_t d = model.dims, km = model.k, kr = reference.k;
    // x_ref = (x_model * scale_m + center_m - center_r) / scale_r, written as one multiply
    // and add per coordinate: no overflow through original units, and exactly the identity
    // when both models have the same scaler.
    std::vector<double> ratio(static_cast<size_t>(d)), offset(static_cast<size_t>(d));
    for (int32_t j = 0; j < d; ++j) {
        ratio[size_t(j)] = model.scaler.scale[size_t(j)] / reference.scaler.scale[size_t(j)];
        offset[size_t(j)] = (model.scaler.center[size_t(j)] - reference.scaler.center[size_t(j)]) /
                            reference.scaler.scale[size_t(j)];
    }
    std::vector<double> mapped(size_t(km) * size_t(d));
    for (int32_t c = 0; c < km; ++c)
        for (int32_t j = 0; j < d; ++j)
            mapped[size_t(c) * size_t(d) + size_t(j)] =
                model.centroid(c)[j] * ratio[size_t(j)] + offset[size_t(j)];
    std::vector<double> cost(size_t(km) * size_t(kr));
    const int32_t q = reference.categorical.dims;
    for (int32_t i = 0; i < km; ++i)
        for (int32_t j = 0; j < kr; ++j) {
            double c =
                squared_distance(mapped.data() + size_t(i) * size_t(d), reference.centroid(j), d);
            int32_t mismatches = 0;
            for (int32_t a = 0; a < q; ++a)
                mismatches += mode_text(model, i, a) != mode_text(reference, j, a);
            if (mismatches > 0) c += reference.categorical.gamma * double(mismatches);
            if (!std::isfinite(c))
                throw Error(ErrorKind::DataException,
                            "seg_align: the distance between model cluster " + std::to_string(i) +
                                " and reference cluster " + std::to_string(j) + " overflows",
                            "Centroids this far apart (beyond about 1e150 in the reference's "
                            "scaled space) cannot be matched; kmeans_fit never makes them.");
            cost[size_t(i) * size_t(kr) + size_t(j)] = c;
        }
    return cost;
}

// Matches clusters, then numbers them as documented in the header.
std::vector<int32_t> alignment_permutation(const Model& model, const Model& reference,
                                           const Interrupt& interrupt) {
    const std::vector<double> cost = alignment_costs(model, reference);
    const std::vector<int32_t> partner =
        hungarian_assign(cost.data(), model.k, reference.k, interrupt);
    const int32_t k = model.k;
    std::vector<int32_t> new_number(size_t(k), -1);
    if (k <= reference.k) {
        // Dense numbers in the order of the partners' numbers (identity when k == k_ref).
        std::vector<int32_t> order(static_cast<size_t>(k));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](int32_t a, int32_t b) { return partner[size_t(a)] < partner[size_t(b)]; });
        for (int32_t n = 0; n < k; ++n) new_number[size_t(order[size_t(n)])] = n;
        return new_number;
    }
    std::vector<int32_t> unmatched;
    for (int32_t c = 0; c < k; ++c) {
        if (partner[size_t(c)] >= 0)
            new_number[size_t(c)] = partner[size_t(c)];
        else
            unmatched.push_back(c);
    }
    std::stable_sort(unmatched.begin(), unmatched.end(), [&](int32_t a, int32_t b) {
        return model.sizes[size_t(a)] > model.sizes[size_t(b)];
    });
    int32_t next = reference.k;
    for (int32_t c : unmatched) new_number[size_t(c)] = next++;
    return new_number;
}

// Moves every per-cluster field of the model to its new number.
Model renumber_clusters(const Model& model, const std::vector<int32_t>& new_number) {
    const int32_t k = model.k, d = model.dims;
    if (new_number.size() != size_t(k))
        throw Error(ErrorKind::InvalidParameter, "renumbering has " +
                                                     std::to_string(new_number.size()) +
                                                     " entries, expected k = " + std::to_string(k));
    std::vector<char> seen(size_t(k), 0);
    for (int32_t n : new_number) {
        if (n < 0 || n >= k || seen[size_t(n)])
            throw Error(ErrorKind::InvalidParameter, "renumbering is not a permutation of 0..k-1");
        seen[size_t(n)] = 1;
    }
    Model out = model;
    for (int32_t c = 0; c < k; ++c) {
        const size_t to = size_t(new_number[size_t(c)]);
        std::copy_n(model.centroid(c), d, out.centroids.data() + to * size_t(d));
        out.sizes[to] = model.sizes[size_t(c)];
        out.mean_distance[to] = model.mean_distance[size_t(c)];
        const size_t q = size_t(model.categorical.dims);
        for (size_t a = 0; a < q; ++a) {
            out.categorical.modes[to * q + a] = model.categorical.modes[size_t(c) * q + a];
            out.categorical.mode_share[to * q + a] =
                model.categorical.mode_share[size_t(c) * q + a];
        }
    }
    if (!model_kind(model.algorithm).renumber(out, new_number))
        throw Error(ErrorKind::InvalidParameter,
                    std::string("seg_align cannot renumber a ") +
                        model_algorithm_name(model.algorithm) + " model",
                    "Its kind keeps per-cluster data seg_align does not renumber.");
    validate_model(out, ErrorKind::Internal);
    return out;
}

// Aligns model to reference.
Model align_model(const Model& model, const Model& reference, const Interrupt& interrupt) {
    return renumber_clusters(model, alignment_permutation(model, reference, interrupt));
}

}  // namespace cseg
