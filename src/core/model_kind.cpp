// The registry of model kinds and the defaults of the ModelKind interface (model_kind.hpp).
#include "model_kind.hpp"

#include <cmath>

#include "distance.hpp"

namespace cseg {

// Each kind's singleton, defined in its model_<kind>.cpp.
const ModelKind& kmeans_kind();
const ModelKind& kprototypes_kind();
const ModelKind& hierarchical_kind();
const ModelKind& gmm_kind();
const ModelKind& dbscan_kind();

// The registry: one line per kind, in algorithm code order.
const std::vector<const ModelKind*>& model_kinds() {
    static const std::vector<const ModelKind*> kinds = {
        &kmeans_kind(),
        &kprototypes_kind(),
        &hierarchical_kind(),
        &gmm_kind(),
        &dbscan_kind(),
    };
    return kinds;
}

// The arguments of an operation, for messages.
const char* model_operation_arguments(ModelOperation op) {
    switch (op) {
        case ModelOperation::AssignNumbers:
        case ModelOperation::Proba:
            return "(segmodel, float8[])";
        case ModelOperation::AssignMixed:
            return "(segmodel, float8[], text[])";
        case ModelOperation::Modes:
        case ModelOperation::Dendrogram:
            return "(segmodel)";
    }
    return "(?)";
}

// Linear search over the handful of kinds.
const ModelKind* find_model_kind(std::string_view name) {
    for (const ModelKind* k : model_kinds())
        if (name == k->name()) return k;
    return nullptr;
}

// Linear search by code.
const ModelKind* find_model_kind(uint8_t code) {
    for (const ModelKind* k : model_kinds())
        if (uint8_t(k->algorithm()) == code) return k;
    return nullptr;
}

// The registered kind of a, or an error naming the code.
const ModelKind& model_kind(ModelAlgorithm a, ErrorKind kind) {
    const ModelKind* k = find_model_kind(uint8_t(a));
    if (k == nullptr)
        throw Error(kind, std::string("no model kind is registered for algorithm \"") +
                              model_algorithm_name(a) + "\" (code " + std::to_string(int(a)) +
                              ")");
    return *k;
}

// Comma-separated names of the kinds taking op.
std::string kinds_taking(ModelOperation op) {
    std::string out;
    for (const ModelKind* k : model_kinds()) {
        if (!k->takes(op)) continue;
        if (!out.empty()) out += ", ";
        out += k->name();
    }
    return out;
}

// The 22023 error of an operation asked of a kind that does not take it.
void require_operation(const ModelKind& kind, ModelOperation op, const char* fn) {
    if (kind.takes(op)) return;
    throw Error(ErrorKind::InvalidParameter,
                std::string(fn) + model_operation_arguments(op) + " takes " + kinds_taking(op) +
                    " models, got a " + kind.name() + " model");
}

// Default: the kind keeps nothing per cluster beyond the common part.
void ModelKind::finish_fit(const FitRows&, const KindFit&, const std::vector<int32_t>&,
                           const std::vector<int32_t>&, Model&, const Interrupt&) const {}

// Default: only a kind without arrays of its own has nothing to renumber.
bool ModelKind::renumber(Model& m, const std::vector<int32_t>&) const {
    return m.kind_arrays.empty();
}

// Default: Euclidean distance to the fit's centre, in scaled space (the squares first, then
// the square roots in one vectorised pass; a noise row's slot holds 0 meanwhile).
void ModelKind::fit_distances(const Model& m, const KindFit& fit, const FitRows& rows,
                              int64_t lo, int64_t hi, double* out) const {
    const int32_t d = m.dims;
    for (int64_t i = lo; i < hi; ++i) {
        const int32_t c = fit.labels[size_t(i)];
        out[i - lo] = c < 0 ? 0.0
                            : squared_distance(rows.X.data() + i * d,
                                               fit.centers.data() + int64_t{c} * d, d);
    }
    for (int64_t i = 0; i < hi - lo; ++i) out[i] = std::sqrt(out[i]);
}

// Default: no prepared scratch.
size_t ModelKind::prepared_bytes(const ModelView&) const { return 0; }

// Only kinds taking Proba implement it.
void ModelKind::proba(const ModelView&, void*, ModelRow, double*) const {
    throw Error(ErrorKind::Internal, std::string(name()) + " models have no probabilities");
}

// Every training row is in a cluster.
int64_t ModelKind::unclustered_rows(const Model&) const { return 0; }

// Default: nothing to prepare.
void ModelKind::prepare(const ModelView&, void*) const {}

// Default: one assign() per row.
void ModelKind::assign_rows(const ModelView& v, void* prepared, const double* x, int64_t n,
                            int32_t* labels, double* distances) const {
    for (int64_t i = 0; i < n; ++i)
        labels[i] = assign(v, prepared, ModelRow{x + i * v.dims, nullptr}, &distances[i]);
}

// Default: Euclidean distance of the scaled numbers.
double ModelKind::row_distance(const ModelView& v, ModelRow a, ModelRow b) const {
    return std::sqrt(squared_distance(a.x, b.x, v.dims));
}

}  // namespace cseg
