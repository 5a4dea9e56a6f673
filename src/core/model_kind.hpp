// The model family: every kind of segmentation model (k-means, k-prototypes, hierarchical,
// Gaussian mixture, DBSCAN) is one Model — the common part of model.hpp (feature pipeline and
// scaler, feature names, impute, training statistics, sizes, centroids in scaled space, n_rows)
// plus what its kind adds — and every consumer (seg_assign, seg_distance, silhouette, drift,
// the registry, the trigger, seg_train) talks to the kind through this interface, never to one
// kind. Adding a kind = its files (model_<kind>.cpp implementing ModelKind, its algorithm
// files, its fit aggregate) plus one line in model_kind.cpp's registry. See NOTES/family.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "model.hpp"
#include "model_codec.hpp"

namespace cseg {

// What a consumer asks of a model beyond the common part. A kind that does not take an
// operation makes it an error (22023) naming the kinds that do (require_operation).
enum class ModelOperation : uint8_t {
    AssignNumbers = 0,  // seg_assign / seg_distance (segmodel, float8[]): rows of numbers
    AssignMixed = 1,    // seg_assign / seg_distance (segmodel, float8[], text[]): + categories
    Modes = 2,          // seg_modes: per-cluster category modes
    Proba = 3,          // seg_proba: P(cluster | row)
    Dendrogram = 4,     // seg_dendrogram, seg_cut
};
constexpr int32_t kModelOperationCount = 5;

// The argument list of an operation, for messages: "(segmodel, float8[])".
const char* model_operation_arguments(ModelOperation op);

// One row as a kind sees it: the numbers in the model's scaled space (dims values) and, for a
// kind with categorical attributes, their codes (cat_dims values; -1 = unseen, matches nothing).
struct ModelRow {
    const double* x;
    const int32_t* codes;  // nullptr for numeric kinds
    // For a kind whose assign may do a prepared model's one-time work (the hierarchical
    // kind's covers): polled there; nullptr = never cancelled.
    const Interrupt* interrupt = nullptr;
};

// Which size an extent of a stored kind array has (KindArraySpec).
enum class KindExtent : uint8_t { One, K, Dims, Free };

// One array a kind stores beyond the common part, written generically by the JSON and binary
// codecs (see model_codec.hpp, "kind section"): doubles or int64, rows x cols. A One x One
// array is a JSON scalar, a rows x One array a flat JSON array, anything else an array of rows.
struct KindArraySpec {
    const char* name;  // the JSON key (after the common keys, in spec order)
    bool integer;      // int64 values (else finite doubles)
    KindExtent rows;   // Free: any count >= 0, stored with the values
    KindExtent cols;   // One, K or Dims (Free is not allowed for columns)
};

// The rows the shared fit pipeline hands to a kind: usable rows only, in canonical order,
// missing values handled, numbers scaled.
struct FitRows {
    ConstRowMap X;                      // n x dims, scaled space
    const int32_t* codes = nullptr;     // n x cat_dims category codes (complete), or nullptr
    int32_t cat_dims = 0;
    std::vector<int32_t> n_categories;  // per attribute, when cat_dims > 0
    // Bytes the kind may allocate for its own working memory (hierarchical: the distance
    // matrix of complete/average linkage); the wall passes what customer_seg.max_memory leaves.
    double memory_budget = 1e300;
};

// What a kind's fit returns: clusters in its own numbering; the pipeline renumbers them by
// size (cluster_order) and fills sizes and mean_distance.
struct KindFit {
    RowMatrix centers;            // k x dims, scaled space (the cluster means / prototypes)
    std::vector<int32_t> labels;  // one per row, 0 .. k-1
    std::vector<int32_t> modes;   // k x cat_dims tie-break codes for the numbering (or empty)
};

// One kind of model. Implementations are stateless singletons (model_kmeans.cpp, ...).
class ModelKind {
  public:
    virtual ~ModelKind() = default;

    // Its algorithm code (binary header byte) and JSON name ("kmeans", ...).
    virtual ModelAlgorithm algorithm() const = 0;
    const char* name() const { return model_algorithm_name(algorithm()); }
    // The aggregate that fits it ("kmeans_fit"), for messages and seg_train.
    virtual const char* fit_function() const = 0;
    // True when its rows carry categorical attributes besides the numbers.
    virtual bool categorical() const { return false; }
    // True when the kind takes the operation.
    virtual bool takes(ModelOperation op) const = 0;

    // --- what it stores -------------------------------------------------------------------
    // The arrays kept in Model::kind_arrays (in this order), written by the common codecs.
    // k-means and k-prototypes store none this way (their binary form predates the family).
    virtual std::vector<KindArraySpec> arrays() const { return {}; }
    // After decoding a binary model: sets what the kind keeps in its arrays but also shows
    // among the options (hierarchical: linkage, max_leaves); nothing by default.
    virtual void restore_options(Model&) const {}
    // Throws Error(kind, "invalid segmodel: ...") for an inconsistency of the kind's own part
    // (the common part and the array shapes are checked before).
    virtual void validate(const Model& m, ErrorKind kind) const = 0;

    // --- fitting --------------------------------------------------------------------------
    // Clusters the rows into k clusters: fills the kind's part of m (inertia, n_iter,
    // kind_arrays, ...) and returns centers and labels in its own numbering. m holds the common
    // part already (options, scaler, statistics, n_rows). Throws Cancelled.
    virtual KindFit fit(const FitRows& rows, int32_t k, Model& m, const Interrupt& interrupt,
                        int32_t threads) const = 0;
    // After renumbering (order[new] = the fit's cluster; labels already renumbered): permutes
    // the kind's per-cluster data in m and computes what it keeps per cluster from the rows
    // and their labels (the default: nothing). m.centroids, m.sizes, m.mean_distance are final.
    virtual void finish_fit(const FitRows& rows, const KindFit& fit,
                            const std::vector<int32_t>& labels, const std::vector<int32_t>& order,
                            Model& m, const Interrupt& interrupt) const;
    // Renumbers the kind's own per-cluster data in m for new_number[old] = new (seg_align);
    // false when the kind cannot. Default: true when the kind stores no arrays of its own.
    virtual bool renumber(Model& m, const std::vector<int32_t>& new_number) const;
    // For mean_distance: out[i - lo] = the distance of row i in [lo, hi) (scaled) to its
    // cluster fit.labels[i] (in the fit's numbering; rows labelled < 0 are left alone).
    // Euclidean to fit.centers by default. One call per block of rows.
    virtual void fit_distances(const Model& m, const KindFit& fit, const FitRows& rows,
                               int64_t lo, int64_t hi, double* out) const;

    // --- labelling rows (hot path: no allocation, no exception on valid input) ------------
    // Scratch bytes the kind wants prepared once per decoded model (plain data, 8-aligned),
    // e.g. transposed centroids or a search tree; 0 by default.
    virtual size_t prepared_bytes(const ModelView& v) const;
    // Fills the prepared scratch (prepared_bytes(v) bytes).
    virtual void prepare(const ModelView& v, void* prepared) const;
    // The cluster of a row (scaled) and the kind's distance to it (documented per kind;
    // Euclidean to the centroid for k-means). prepared is the scratch filled by prepare.
    // May return -1 ("noise") for kinds that have it.
    virtual int32_t assign(const ModelView& v, void* prepared, ModelRow row,
                           double* distance) const = 0;
    // assign() for n rows of v.dims scaled numbers (row-major, numeric kinds), the clusters
    // into labels[0..n) and the distances into distances[0..n): the same answers as n calls
    // of assign(), which the default makes; a kind with a faster rule for a block of rows
    // overrides it (the stream engine's passes label their rows in blocks).
    virtual void assign_rows(const ModelView& v, void* prepared, const double* x, int64_t n,
                             int32_t* labels, double* distances) const;
    // P(cluster | row) of a row (scaled) into out[0..k) for a kind taking ModelOperation::Proba
    // (sums to 1); the default throws Error(Internal).
    virtual void proba(const ModelView& v, void* prepared, ModelRow row, double* out) const;
    // Training rows in no cluster (DBSCAN's noise): sizes sum to n_rows minus these; 0 by
    // default. Called by validate_model after the kind arrays' shapes are checked.
    virtual int64_t unclustered_rows(const Model& m) const;
    // The dissimilarity of two rows (scaled) that silhouette uses for this kind: Euclidean by
    // default; k-prototypes: sqrt(squared numeric distance + gamma * mismatches).
    virtual double row_distance(const ModelView& v, ModelRow a, ModelRow b) const;
};

// The kind of algorithm a; throws Error(kind) when no kind is registered for it.
const ModelKind& model_kind(ModelAlgorithm a, ErrorKind kind = ErrorKind::Internal);
// The kind registered under JSON name `name`, or nullptr.
const ModelKind* find_model_kind(std::string_view name);
// The kind registered for algorithm code `code`, or nullptr.
const ModelKind* find_model_kind(uint8_t code);
// Every registered kind, in algorithm code order.
const std::vector<const ModelKind*>& model_kinds();
// The names of the registered kinds taking op: "kmeans, hierarchical".
std::string kinds_taking(ModelOperation op);
// Throws Error(InvalidParameter) "<fn>(segmodel, ...) takes <kinds> models, got a <x> model"
// unless the kind takes op.
void require_operation(const ModelKind& kind, ModelOperation op, const char* fn);

}  // namespace cseg
