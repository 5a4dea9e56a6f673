// Renumbering a model's clusters to match a reference model's (seg_align), so a retrained
// model keeps the meaning of segment numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

// Cost of calling model cluster i by reference cluster j's number, row-major k_model x k_ref:
// the squared Euclidean distance between the two centroids, both in the REFERENCE's scaled
// space (model centroid -> original units with the model's scaler -> the reference's scaler).
// Distances so weigh every feature as the reference's own clustering did, independent of units.
// For k-prototypes models the reference's gamma times the number of categorical attributes
// whose modes differ (compared as category texts) is added, as in Huang's dissimilarity.
// Throws Error(InvalidParameter) unless both models have the same dims and categorical dims,
// Error(DataException) when a cost overflows (only hand-made models have such centroids).
std::vector<double> alignment_costs(const Model& model, const Model& reference);

// new_number[c] for each cluster c of `model`: a minimum-total-cost matching of model clusters
// to reference clusters (hungarian_assign on alignment_costs). With k_model == k_ref a
// matched cluster takes its partner's number. With k_model > k_ref the matched clusters take
// their partners' numbers 0..k_ref-1 and the unmatched ones the remaining numbers k_ref..,
// largest training size first (ties: current number). With k_model < k_ref the clusters are
// numbered 0..k_model-1 in the order of their partners' numbers (numbers must stay dense).
// Throws Error(InvalidParameter) unless both models have the same dims.
std::vector<int32_t> alignment_permutation(const Model& model, const Model& reference,
                                           const Interrupt& interrupt = Interrupt());

// A copy of model whose cluster c is renumbered to new_number[c]: centroids, sizes,
// mean_distance and (k-prototypes) modes and mode shares move together; everything else is
// unchanged. Validated before returning.
// Throws Error(InvalidParameter) unless new_number is a permutation of 0..k-1.
Model renumber_clusters(const Model& model, const std::vector<int32_t>& new_number);

// renumber_clusters(model, alignment_permutation(model, reference)).
Model align_model(const Model& model, const Model& reference,
                  const Interrupt& interrupt = Interrupt());

}  // namespace cseg
