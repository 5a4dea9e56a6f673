// The one fit pipeline every fit aggregate runs (model family, model_kind.hpp): canonical row
// order, the missing-value policy, the row-count errors, feature statistics, the scaler, then
// the kind's own clustering, then clusters renumbered by size with sizes and mean distances.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eigen.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

class ModelKind;

// Categorical values of n rows as codes into per-attribute vocabularies.
struct CategoryCodes {
    int32_t dims = 0;                                  // q attributes
    std::vector<std::vector<std::string>> categories;  // q vocabularies, bytewise sorted, unique
    std::vector<int32_t> codes;                        // n * q, row-major; -1 = missing (NULL)
};

// The rows a fit aggregate collected, in original units.
struct FitInput {
    double* numeric = nullptr;  // n x dims, NaN (any non-finite value) = missing; modified in
                                // place: afterwards the first n_rows rows are the usable rows,
                                // scaled, in canonical order
    int64_t n = 0;
    int32_t dims = 0;
    CategoryCodes* categories = nullptr;  // n x q codes (-1 = NULL) for a categorical kind;
                                          // modified like numeric; nullptr otherwise
    bool canonical = false;  // the rows are in canonical order already (sort_rows)
    bool complete = false;   // no number is missing (the caller counted them while reading):
                             // the missing policy's scan over the rows is left out
    double memory_budget = 1e300;  // bytes for the kind's own working memory (FitRows)
};

// Fits a model of `kind`: checks k (>= 1), the shapes and the options (those of the kind,
// the others at their defaults; feature_names / categorical_names of the right length);
// sorts the rows into canonical order (row_order.hpp; numbers then codes) unless they are;
// applies the missing policy (skip: rows with a missing number or category are left out and
// counted in n_skipped; error: Error(NullValue) counting them and showing one; impute: numeric
// means and most frequent categories, kept in the model); Error(DataException) when fewer
// than k rows are usable; feature statistics, the scaler opts.scale, the rows scaled; the
// kind's fit; then clusters renumbered by size descending, ties by centroid (scaled) and then
// the kind's modes ascending (cluster_order.hpp), sizes and mean distances (the kind's
// fit_distances) counted, the kind's finish_fit, and validate_model. Messages name
// kind.fit_function(). Deterministic: the same multiset of rows and options gives a
// bit-identical model, whatever `threads` is. Throws Cancelled through interrupt.
Model fit_model(const ModelKind& kind, FitInput in, int32_t k, const KMeansOptions& opts,
                const Interrupt& interrupt, int32_t threads = 1);

// The error of a fit left with fewer usable rows than k (22000): "<fn> needs at least k usable
// rows: got <usable> usable rows for k = <k>"; the detail says how many rows with `what` (a
// missing value) were skipped, when any were, then `more`.
Error too_few_usable_rows(std::string_view fn, int64_t usable, int32_t k, int64_t skipped,
                          std::string_view what, std::string_view more = {});

// "Missing by feature: \"income\" in 200 rows, \"age\" in 3 rows." from the count of rows
// missing each column (the p numbers, then the categories), for too_few_usable_rows' `more`
// when every row was skipped: the five columns missing most, most first.
std::string missing_by_feature_text(const std::vector<int64_t>& missing, int32_t p,
                                    const std::vector<std::string>& names,
                                    const std::vector<std::string>& categorical_names);

// A missing value of a numbers-only row, for too_few_usable_rows.
inline constexpr const char* kMissingElement = "a NULL or non-finite element";

// The kmeans_fit model of n x d rows that are in canonical order already (kmeans_sweep's
// rows; kmeans_fit sorts in fit_model): fit_model(kmeans) with canonical = true. Afterwards
// the first n_rows rows are the usable rows, scaled.
Model fit_kmeans_model(RowMap rows, int32_t k, const KMeansOptions& opts,
                       const Interrupt& interrupt, int32_t threads = 1);

}  // namespace cseg
