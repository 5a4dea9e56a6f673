// The segment map: customers on their first two principal components, coloured by segment.
#include <algorithm>
#include <cmath>
#include <string>

#include "charts.hpp"
#include "errors.hpp"
#include "svg.hpp"

namespace cseg {

// Scatter of the drawn rows, centroids on top, legend on the right.
std::string map_chart(const MapChartInput& in) {
    const size_t n = in.labels.size();
    if (in.k < 1 || in.xy.size() != 2 * n || in.centroid_xy.size() != 2 * size_t(in.k) ||
        in.sizes.size() != size_t(in.k) || in.variance_ratio.size() != 2)
        throw Error(ErrorKind::Internal, "map_chart: inconsistent input");
    double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;
    bool first = true;
    const auto widen = [&](double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        if (first) x_lo = x_hi = x, y_lo = y_hi = y, first = false;
        x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
        y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    };
    for (size_t i = 0; i < n; ++i) widen(in.xy[2 * i], in.xy[2 * i + 1]);
    for (int32_t c = 0; c < in.k; ++c) widen(in.centroid_xy[2 * c], in.centroid_xy[2 * c + 1]);
    const double px = std::max(1e-9, (x_hi - x_lo) * 0.05),
                 py = std::max(1e-9, (y_hi - y_lo) * 0.05);
    const int W = 900, H = 620;
    Svg svg(W, H, "Segment map: customers on their first two principal components");
    svg.text(20, 26, "Segment map (principal components of the scaled features)", "start", 16, 0,
             "font-weight=\"bold\"");
    const std::string note = rows_note(int64_t(n), in.rows_total);
    svg.text(20, 44, note + "; large markers: segment centroids", "start", 12, 0,
             "class=\"subtitle\"");
    const PlotArea a{90, 60, 520, 490, x_lo - px, x_hi + px, y_lo - py, y_hi + py};
    svg.axes(a, "PC1 (" + fixed(100 * in.variance_ratio[0], 1) + " % of variance)",
             "PC2 (" + fixed(100 * in.variance_ratio[1], 1) + " % of variance)", 6, 6);
    const double r = n > 2000 ? 1.8 : 2.6;
    for (size_t i = 0; i < n; ++i)
        if (in.labels[i] < 0 || in.labels[i] >= in.k)
            throw Error(ErrorKind::Internal, "map_chart: label out of range");
    // One group per segment (largest first, so small segments stay visible on top); circles
    // inherit the group's fill, which keeps a point to about 45 bytes.
    for (int32_t c = 0; c < in.k; ++c) {
        svg.raw("<g class=\"points\" data-cluster=\"" + std::to_string(c) + "\" fill=\"" +
                palette_colour(c) + "\" fill-opacity=\"0.6\">\n");
        for (size_t i = 0; i < n; ++i) {
            if (in.labels[i] != c) continue;
            const double x = a.px(in.xy[2 * i]), y = a.py(in.xy[2 * i + 1]);
            if (c < 8) {
                svg.raw("<circle cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"" + coord(r) +
                        "\"/>\n");
            } else {
                svg.marker(c / 8, x, y, r, palette_colour(c));
            }
        }
        svg.raw("</g>\n");
    }
    for (int32_t c = 0; c < in.k; ++c) {
        const double cx = a.px(in.centroid_xy[2 * c]), cy = a.py(in.centroid_xy[2 * c + 1]);
        svg.marker(c / 8, cx, cy, 9, palette_colour(c),
                   "stroke=\"#000000\" stroke-width=\"2\" class=\"centroid\" data-cluster=\"" +
                       std::to_string(c) + "\"");
        svg.text(cx, cy + 4, std::to_string(c), "middle", 11, 0,
                 "font-weight=\"bold\" class=\"centroid-label\"");
    }
    std::vector<LegendEntry> entries;
    for (int32_t c = 0; c < in.k; ++c)
        entries.push_back(
            {"segment " + std::to_string(c) + ": " + count_text(in.sizes[size_t(c)]) + " rows",
             palette_colour(c), c / 8, false, ""});
    entries.push_back({"centroid", "#FFFFFF", 0, false, "stroke=\"#000000\" stroke-width=\"2\""});
    legend(svg, 640, 70, "Segments", entries);
    return svg.finish();
}

}  // namespace cseg
