// Warnings on a segmentation that scores well but should not be trusted as it is: a cluster
// too small to act on, or weak structure. One rule for every judging table (kmeans_sweep's
// seg_sweep_row.warning, and seg_compare's rows).
#pragma once

#include <cstdint>
#include <string>

namespace cseg {

// A cluster holding less than this share of the rows is flagged (an outlier group).
constexpr double kSmallClusterShare = 0.01;
// A silhouette below this is weak structure (Kaufman & Rousseeuw 1990 read < 0.25 as "no
// substantial structure").
constexpr double kWeakSilhouette = 0.25;

// The warning text for k clusters of the given sizes (rows per cluster, summing to the rows
// labelled) and silhouette (NaN when undefined): the clauses that apply, joined by "; ", e.g.
// "cluster 1 holds 0.70 % of the rows (63 of 8950); weak structure: silhouette 0.21 < 0.25",
// or, when no cluster holds more than one row (k as large as the rows), "every row is a
// cluster of its own (k = 6 over 6 rows)". Empty when nothing applies (SQL NULL).
std::string segment_warning(const int64_t* sizes, int32_t k, double silhouette);

}  // namespace cseg
