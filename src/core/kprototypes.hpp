// K-prototypes clustering of customers described by numeric and categorical attributes (Huang
// 1997, "Clustering large data sets with mixed numeric and categorical values", PAKDD;
// Huang 1998, "Extensions to the k-means algorithm for clustering large data sets with
// categorical values", Data Mining and Knowledge Discovery 2(3):283-304). Every cluster has a
// prototype: the mean of its members' scaled numeric features and the mode of each categorical
// attribute. A row belongs to the prototype of least cost
//
//     squared Euclidean distance of the numeric parts + gamma * (attributes whose category
//     differs from the prototype's mode).
//
// The iteration is the batch (Lloyd-style) form: assign every row, then recompute every
// prototype, until no label changes. Huang updates a prototype after each row, which makes the
// result depend on row order; the batch form does not and never increases the cost either.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "distance.hpp"
#include "eigen.hpp"
#include "interrupt.hpp"
#include "model.hpp"
#include "model_codec.hpp"
#include "model_fit.hpp"
#include "rng.hpp"

namespace cseg {

// Builds CategoryCodes from the flat layout the wall buffers: for each of the n rows, for each
// of the q attributes, a native int32 byte length (-1 for SQL NULL) and then that many bytes.
// A category's code is its rank among the distinct non-NULL values of its attribute (bytewise),
// so codes do not depend on the row order. Throws Error(Internal) when the layout is
// inconsistent, Error(ProgramLimit) beyond 2^31 - 1 categories per attribute.
CategoryCodes encode_categories(const uint8_t* text, size_t bytes, int64_t n, int32_t q,
                                const Interrupt& interrupt);

// Huang's mixed cost of a row (numeric part x, codes) against a prototype (centroid, mode):
// squared Euclidean distance in feature order (squared_distance) plus gamma times the number
// of attributes whose codes differ; a missing or unseen code (< 0) differs from every mode.
inline double mixed_cost(const double* x, const int32_t* codes, const double* centroid,
                         const int32_t* mode, int32_t p, int32_t q, double gamma) {
    int32_t mismatches = 0;
    for (int32_t j = 0; j < q; ++j) mismatches += codes[j] != mode[j];
    return squared_distance(x, centroid, p) + gamma * static_cast<double>(mismatches);
}

// The prototype (of k, row-major centroids k x p and modes k x q) of least mixed cost, ties
// to the lowest index; its cost goes to *best_cost when best_cost != nullptr.
int32_t nearest_prototype(const double* x, const int32_t* codes, const double* centroids,
                          const int32_t* modes, int32_t k, int32_t p, int32_t q, double gamma,
                          double* best_cost);

// One k-prototypes result: prototypes, labels, costs and iterations.
struct KPrototypesRun {
    RowMatrix centers;            // k x p, scaled space
    std::vector<int32_t> modes;   // k x q codes
    std::vector<int32_t> labels;  // n, in 0 .. k-1
    double cost = 0.0;            // sum of mixed costs to the own prototype
    double inertia = 0.0;         // its numeric part: sum of squared distances
    int32_t n_iter = 0;           // assignment + update rounds
};

// The default weight of a mismatch, as the kmodes package's KPrototypes: half the mean over
// numeric features of their population standard deviation in scaled space (feature_std in
// original units divided by the scaler's scale).
double default_gamma(const std::vector<double>& feature_std, const Scaler& scaler);

// One batch k-prototypes run on scaled numerics X (n x p) and complete codes (n x q, every
// code of attribute j in [0, n_categories[j])) from the given prototypes. Each round assigns
// every row to its nearest prototype (nearest_prototype), then sets each centroid to the mean
// of its rows (sums in row order) and each mode to the most frequent code (ties: lowest code).
// A cluster left empty takes the row of highest cost to its own prototype (scikit-learn's
// k-means rule: one row per empty cluster in ascending order, highest cost first, ties to the
// lower row). Stops after the round whose assignment changed no label, or after max_iter
// rounds (then assigns once more so labels match the prototypes). Throws Cancelled.
KPrototypesRun kprototypes_single(ConstRowMap X, const int32_t* codes,
                                  const std::vector<int32_t>& n_categories,
                                  const RowMatrix& init_centers,
                                  const std::vector<int32_t>& init_modes, double gamma,
                                  int32_t max_iter, const Interrupt& interrupt);

// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with scikit-learn's
// kmeans_plusplus_trials(k) local trials) on the mixed cost: the first prototype is a uniform
// row; each further one is the best, by resulting potential, of the candidate rows drawn with
// probability proportional to their cost to the nearest prototype so far. Returns k row
// indices. 1 <= k <= X.rows().
std::vector<int64_t> kprototypes_plusplus(ConstRowMap X, const int32_t* codes, int32_t q, int32_t k,
                                          double gamma, Rng& rng, const Interrupt& interrupt);

// The k-prototypes of kprototypes_fit: opts.n_init restarts seeded with
// Rng::for_stream(opts.seed, restart), initial prototypes the rows chosen by opts.init
// ("k-means++": kprototypes_plusplus; "random": random_rows), each run by kprototypes_single
// with opts.max_iter; the lowest cost wins, ties to the earliest restart.
KPrototypesRun kprototypes_run(ConstRowMap X, const int32_t* codes,
                               const std::vector<int32_t>& n_categories, int32_t k, double gamma,
                               const KMeansOptions& opts, const Interrupt& interrupt);

// The kprototypes_fit model of n rows: numeric (n x p, original units, NaN = missing; not
// modified) and categorical codes (cats.codes n x q, -1 = missing): fit_model (model_fit.hpp)
// with the k-prototypes kind on a copy of the rows (canonical order, the missing policy with
// imputed categories the most frequent, ties to the lowest code; gamma = opts.gamma or
// default_gamma; kprototypes_run; clusters numbered by size, ties by centroid then modes).
Model fit_kprototypes_model(const double* numeric, int64_t n, int32_t p, CategoryCodes cats,
                            int32_t k, const KMeansOptions& opts, const Interrupt& interrupt);

// Upper bound, in bytes, of what encode_categories allocates for n rows of q attributes held
// in text_bytes bytes of the length-prefixed buffer (its views, flags, codes, one attribute's
// distinct values, and the vocabularies it returns); follows its allocations: change it with
// them.
double encode_categories_bytes(int64_t n, int32_t q, double text_bytes);

// Upper bound, in bytes, of fit_kprototypes_model's working memory beyond the numbers and the
// encoded categories it is given: the copy of the rows, the canonical sort's rows, the robust
// scaler's column, the rounds' labels, costs, sums and per-cluster category counts (k x
// n_category_values, the vocabularies' total size), k-means++ and the runs kept.
double kprototypes_fit_bytes(int64_t n, int32_t p, int32_t q, int64_t n_category_values,
                             int32_t k, const KMeansOptions& opts);

// The code of category text s in attribute j (0-based) of a k-prototypes model view: binary
// search in the sorted vocabulary; -1 when the category was not seen in training.
int32_t find_category(const ModelView& v, int32_t j, const char* s, size_t len) noexcept;

// The text of category `code` of attribute j of a k-prototypes model view.
std::string_view category_text(const ModelView& v, int32_t j, int32_t code) noexcept;

// The name of categorical attribute j of a k-prototypes model view into *name; false when the
// model stores no categorical names. Throws Error(Internal) for a malformed name section.
bool categorical_name(const ModelView& v, int32_t j, std::string_view* name);

}  // namespace cseg
