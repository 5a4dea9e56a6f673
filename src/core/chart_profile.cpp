// The profile heat map: each segment's z-score per feature.
#include <algorithm>
#include <cmath>
#include <string>

#include "charts.hpp"
#include "json.hpp"
#include "profile.hpp"
#include "svg.hpp"

namespace cseg {

// Segments as rows, features as columns, z-score printed in every cell; colour bar legend.
std::string profile_chart(const Model& m) {
    const std::vector<ProfileCell> cells = profile_cells(m);
    const std::vector<ClusterSummary> sums = describe_clusters(m);
    size_t longest = 4;
    for (int32_t j = 0; j < m.dims; ++j) longest = std::max(longest, feature_label(m, j).size());
    longest = std::min<size_t>(longest, 40);
    const double cell_w = std::clamp(600.0 / m.dims, 56.0, 110.0), cell_h = 34;
    const double left = 170, top = 70 + 6.5 * double(longest) * 0.6;  // room for slanted names
    const double grid_w = cell_w * m.dims, grid_h = cell_h * m.k;
    const int W = static_cast<int>(std::ceil(left + grid_w + 220));
    const int H = static_cast<int>(std::ceil(top + grid_h + 70));
    Svg svg(W, H, "Segment profiles: z-scores of each segment's centroid per feature");
    svg.text(20, 26, "Segment profiles (z-score of each centroid against all customers)", "start",
             16, 0, "font-weight=\"bold\"");
    svg.raw("<g class=\"heatmap\">\n");
    for (const ProfileCell& c : cells) {
        const double x = left + cell_w * c.feature, y = top + cell_h * c.cluster;
        svg.rect(x, y, cell_w, cell_h, diverging_colour(c.zscore),
                 "stroke=\"#FFFFFF\" stroke-width=\"1\" class=\"cell\" data-cluster=\"" +
                     std::to_string(c.cluster) + "\" data-feature=\"" + std::to_string(c.feature) +
                     "\"");
        svg.text(x + cell_w / 2, y + cell_h / 2 + 4, fixed(c.zscore, 2), "middle", 11, 0,
                 std::fabs(c.zscore) > 1.3 ? "fill=\"#FFFFFF\"" : "");
    }
    svg.raw("</g>\n");
    for (int32_t j = 0; j < m.dims; ++j) {
        std::string name = feature_label(m, j);
        if (name.size() > 40) name = std::string(utf8_prefix(name, 38)) + "...";
        const double x = left + cell_w * (j + 0.5);
        svg.text(x, top - 8, name, "start", 12, -35, "class=\"feature-label\"");
    }
    for (const ClusterSummary& s : sums) {
        svg.text(left - 10, top + cell_h * (s.cluster + 0.5) + 4,
                 "segment " + std::to_string(s.cluster) + " (" + fixed(100 * s.share, 1) + " %)",
                 "end", 12, 0, "class=\"segment-label\"");
    }
    svg.text(left + grid_w / 2, top + grid_h + 28, "feature", "middle", 13, 0,
             "class=\"axis-title x\"");
    svg.text(24, top + grid_h / 2, "segment", "middle", 13, -90, "class=\"axis-title y\"");
    // Colour bar: z from -2 to 2 in 9 steps, with the level words.
    const double lx = left + grid_w + 40, ly = top;
    svg.raw("<g class=\"legend\">\n");
    svg.text(lx, ly - 10, "z-score", "start", 12, 0, "font-weight=\"bold\"");
    for (int i = 0; i < 9; ++i) {
        const double z = 2.0 - 0.5 * i;
        svg.rect(lx, ly + 18 * i, 24, 18, diverging_colour(z), "class=\"legend-swatch\"");
        // The level words (profile.hpp) where their ranges start: 1, 0.5, 0, -0.5, -1.
        const std::string word =
            std::fabs(z) <= 1.0 ? std::string("  ") + level_name(level_of(z)) : std::string();
        svg.text(lx + 32, ly + 18 * i + 13, fixed(z, 1) + word, "start", 11);
    }
    svg.raw("</g>\n");
    return svg.finish();
}

}  // namespace cseg
