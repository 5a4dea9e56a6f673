// The charts customer_seg draws from SQL, each a standalone SVG document (svg.hpp): valid
// XML, a <title>, labelled axes, a legend, the Okabe-Ito palette, no external resources, and
// the same bytes for the same input. Segment c has the same colour (palette_colour(c)) and
// marker shape (c / 8) in every chart. All user text (feature names, table names) is escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interrupt.hpp"
#include "model.hpp"

namespace cseg {

// One k of a sweep as the chart needs it (from a seg_sweep_row).
struct SweepChartPoint {
    int32_t k = 0;
    double inertia = 0.0;     // NaN: not drawn
    double silhouette = 0.0;  // NaN (NULL, e.g. k = 1): not drawn
    bool elbow = false;
    bool best_silhouette = false;
};

// seg_sweep_chart: inertia (top panel) and silhouette (bottom panel) against k, the elbow
// marked by a dashed line and the best silhouette by a ring. Points are drawn in k order;
// throws Error(InvalidParameter) when a k appears twice or is below 1, or there are more
// than kMaxSweepPoints points.
std::string sweep_chart(std::vector<SweepChartPoint> points);
constexpr size_t kMaxSweepPoints = 1000;

// The rows behind a silhouette chart: each row's segment and silhouette value.
struct SilhouetteChartInput {
    int32_t k = 0;                // segments of the model (labels 0 .. k-1)
    std::vector<int32_t> labels;  // n
    std::vector<double> values;   // n silhouette values
    int64_t rows_total = 0;       // usable rows the aggregate saw (>= n)
    double mean = 0.0;            // mean of `values`
};

// seg_silhouette_chart: per segment the silhouette values sorted descending as a filled
// silhouette (one <path> per segment, sampled at most once per pixel row), a dashed line at
// the mean, and a legend with each segment's rows and mean value.
std::string silhouette_chart(const SilhouetteChartInput& in);

// The rows behind a segment map: 2-D principal-component coordinates and segments.
struct MapChartInput {
    int32_t k = 0;
    std::vector<double> xy;              // 2 * n, row-major: drawn points
    std::vector<int32_t> labels;         // n
    std::vector<double> centroid_xy;     // 2 * k: the centroids projected the same way
    std::vector<int64_t> sizes;          // k: rows per segment among all usable rows
    std::vector<double> variance_ratio;  // 2: the axes' share of the variance
    int64_t rows_total = 0;              // usable rows (>= n; larger when sampled)
};

// seg_map_chart: one circle per drawn row coloured by segment, each centroid as a large
// outlined marker with its number, axes "PC1 (xx.x % of variance)".
std::string map_chart(const MapChartInput& in);

// The most rows a map chart draws; above it a seeded sample of this many (map_sample_rows).
constexpr int64_t kMapChartMaxPoints = 4000;
// The most rows a silhouette chart scores; above it a seeded sample (silhouettes are O(n^2)).
constexpr int64_t kSilhouetteChartMaxRows = 5000;

// seg_profile_chart: heat map of the profile z-scores (profile.hpp), segments as rows and
// features as columns, each cell printing its z-score, coloured on the diverging scale.
std::string profile_chart(const Model& m);

// One merge of a dendrogram in scipy's linkage convention (SPEC.md, seg_dendrogram).
struct DendrogramMerge {
    int64_t left = 0, right = 0;  // node ids: leaves 0 .. L-1, the node of step s is L + s
    double height = 0.0;          // merge distance
    int64_t size = 0;             // rows under the new node
};

// seg_dendrogram_chart: the tree over `leaves` leaves (merges.size() == leaves - 1), links
// drawn as scipy's dendrogram does (left child first), coloured by the k clusters of the cut
// (the subtrees under the top k - 1 merges, ranked by rows, largest first, so colours match
// the segments' size order), a dashed line at the cut. Above kDendrogramMaxShown leaves only
// the last kDendrogramMaxShown clusters are drawn (scipy's truncate_mode="lastp"), each
// collapsed leaf labelled with its rows. leaf_sizes holds the rows of each leaf (empty: one
// row per leaf); leaf_clusters each leaf's segment in the model (empty: the cut's subtrees are
// numbered by rows, largest first), which then names and colours each subtree. Throws
// Error(InvalidParameter) on a malformed tree (a child that does not exist yet or is merged
// twice, a non-finite or negative height, k outside 1 .. leaves).
std::string dendrogram_chart(const std::vector<DendrogramMerge>& merges, int64_t leaves, int32_t k,
                             const std::vector<int64_t>& leaf_sizes = {},
                             const std::vector<int64_t>& leaf_clusters = {});
constexpr int64_t kDendrogramMaxShown = 30;

// What a report shows about one model and the table it was run on.
struct ReportInput {
    const Model* model = nullptr;
    std::string source;                 // the table's name as the database spells it
    std::vector<std::string> features;  // its columns
    std::vector<std::pair<std::string, std::string>> charts;  // (heading, SVG) in order
};

// seg_report: one self-contained HTML page (inline CSS, inline SVG, no script, no external
// resource): the model's kind, size and options, a table of segment sizes and shares, each
// segment described in words (describe_clusters), then every chart given.
std::string report_html(const ReportInput& in);

}  // namespace cseg
